"""The DESIGN example rendered from the wheel, installed as a user installs it: a clean
virtualenv, dependencies from PyPI, and no Node.js anywhere on the kernel's PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Page

from ..packaging.dist import build_dist, without_node_path
from .helpers import CounterView, example_source, open_notebook_in_lab, run_all_cells, views
from .servers import JupyterServer

pytestmark = pytest.mark.timeout(900)
KERNEL = "nbstate-wheel"


@pytest.fixture(scope="module")
def clean_venv() -> Path:
    """A fresh virtualenv with only the wheel (and what it depends on) installed."""
    venv = Path(tempfile.mkdtemp(prefix="nbstate-user-")) / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}:{without_node_path()}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUAL_ENV": str(venv),
    }
    env.pop("PYTHONPATH", None)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(build_dist().wheel)],
        check=True,
        env=env,
        timeout=600,
    )
    return venv


def _kernelspec(jupyter_env: dict[str, str], venv: Path) -> None:
    spec_dir = Path(jupyter_env["JUPYTER_DATA_DIR"]) / "kernels" / KERNEL
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": "nbstate from the wheel",
        "language": "python",
        "env": {"PATH": f"{venv / 'bin'}:{without_node_path()}", "PYTHONPATH": ""},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))


def test_the_design_example_renders_from_a_clean_install(
    page: Page,
    clean_venv: Path,
    jupyter_env: dict[str, str],
    jupyter_lab_server: JupyterServer,
    jupyter_root: Path,
) -> None:
    """The installed wheel (no node, nbstate from the venv) renders and runs the example."""
    _kernelspec(jupyter_env, clean_venv)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL, "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import shutil, nbstate\nprint('nbstate from', nbstate.__file__)\n"
            "print('node on PATH:', shutil.which('node'))"
        ),
        nbformat.v4.new_code_cell(example_source()),
    ]
    name = "installed_wheel.ipynb"
    nbformat.write(nb, str(jupyter_root / name))
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    first_output = page.locator(".jp-Cell").nth(0).locator(".jp-OutputArea").inner_text()
    assert f"nbstate from {clean_venv}" in first_output, first_output
    assert "node on PATH: None" in first_output
    view = CounterView(page, views(page).first)
    view.wait_rendered()
    assert view.counter() == 0
    assert view.toggle.inner_text().strip() == "Start"
    view.toggle.click()
    view.wait_counter(lambda n: n >= 2, "at least 2 after Start", timeout=15_000)
    view.toggle.click()
