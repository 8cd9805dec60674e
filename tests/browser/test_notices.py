"""Toasts, downloads and on_mount in JupyterLab: what a person sees and gets."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .helpers import cell_outputs, open_notebook_in_lab, run_all_cells
from .servers import JupyterServer, write_notebook

SOURCE = """
import nbstate as rx

class Notes(rx.State):
    mounts: int = 0
    unmounts: int = 0
    show: bool = True

    def mounted(self):
        self.mounts += 1

    def unmounted(self):
        self.unmounts += 1

    def save(self):
        yield rx.toast("Saved <3 rows>", level="success", duration=1500)

    def export(self):
        return [rx.toast("Exported"), rx.download("name,n\\nä,1\\n", filename="../rows.csv")]

rx.vstack(
    rx.cond(Notes.show, rx.text("panel", on_mount=Notes.mounted, on_unmount=Notes.unmounted)),
    rx.text(f"mounted {Notes.mounts} unmounted {Notes.unmounts}", id="counts"),
    rx.hstack(
        rx.button("Save", on_click=Notes.save),
        rx.button("Export", on_click=Notes.export),
        rx.button("Toggle", on_click=Notes.set_show(~Notes.show)),
    ),
)
"""


def test_toast_download_and_on_mount(
    page: Page, jupyter_lab_server: JupyterServer, jupyter_root: Path
) -> None:
    """A toast shows then goes; a download arrives once with its name and bytes; mounts count."""
    name = "notices.ipynb"
    write_notebook(jupyter_root / name, [SOURCE])
    open_notebook_in_lab(page, jupyter_lab_server, name)
    run_all_cells(page)
    view = cell_outputs(page, 0).locator(".nbstate-view")
    counts = view.locator("#counts")
    expect(counts).to_have_text("mounted 1 unmounted 0", timeout=20_000)

    view.get_by_role("button", name="Save").click()
    toast = view.locator('[data-nbstate="toast"]')
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Saved <3 rows>")  # plain text, not markup
    expect(toast).to_have_attribute("role", "status")
    expect(toast).to_have_count(0, timeout=10_000)  # gone after its 1.5 s

    with page.expect_download() as info:
        view.get_by_role("button", name="Export").click()
    download = info.value
    assert download.suggested_filename == "_rows.csv"
    path = download.path()
    assert path is not None
    assert Path(path).read_bytes() == "name,n\nä,1\n".encode()
    expect(toast.filter(has_text="Exported")).to_have_count(1)
    toast.get_by_role("button", name="Close notice").click()
    expect(toast).to_have_count(0)

    # A value change re-renders no component: the counts do not move.
    view.get_by_role("button", name="Save").click()
    expect(counts).to_have_text("mounted 1 unmounted 0")
    # The cond switching away and back unmounts and mounts the panel again.
    view.get_by_role("button", name="Toggle").click()
    expect(counts).to_have_text("mounted 1 unmounted 1")
    view.get_by_role("button", name="Toggle").click()
    expect(counts).to_have_text("mounted 2 unmounted 1")
