"""Write js/src/catalog.json from nbstate/_ui/catalog.py (tests check the file is current)."""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nbstate._ui.catalog import render_json  # noqa: E402

TARGET = ROOT / "js" / "src" / "catalog.json"

if __name__ == "__main__":
    TARGET.write_text(render_json())
    print(f"wrote {TARGET.relative_to(ROOT)}")
