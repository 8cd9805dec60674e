# ruff: noqa: E501  (notebook prose is wrapped as it reads in the notebook)
"""Write the example notebooks in notebooks/ and execute them so their outputs are stored.

Run: .venv/bin/python scripts/build_notebooks.py   (nbval then checks the stored outputs)
"""

from __future__ import annotations

import os
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent / "notebooks"

md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell

EXAMPLE = """import asyncio
import nbstate as rx

class MyTaskState(rx.State):
    counter: int = 0
    max_counter: int = 10
    running: bool = False
    _n_tasks: int = 0

    @rx.background
    async def my_task(self):
        async with self:
            if self._n_tasks > 0:
                return
            self._n_tasks += 1
        while True:
            async with self:
                if self.counter >= self.max_counter:
                    self.running = False
                if not self.running:
                    self._n_tasks -= 1
                    return
                self.counter += 1
            await asyncio.sleep(0.5)

    def toggle_running(self):
        self.running = not self.running
        if self.running:
            return MyTaskState.my_task

    def clear_counter(self):
        self.counter = 0

rx.hstack(
    rx.heading(MyTaskState.counter, " /"),
    rx.chakra.number_input(value=MyTaskState.max_counter,
                           on_change=MyTaskState.set_max_counter, width="8em"),
    rx.button(rx.cond(~MyTaskState.running, "Start", "Stop"),
              on_click=MyTaskState.toggle_running),
    rx.button("Reset", on_click=MyTaskState.clear_counter),
)"""

NOTEBOOKS: dict[str, list[nbformat.NotebookNode]] = {
    "01_counter_task.ipynb": [
        md("""# A counter driven by a background task

This is Reflex's background-task example, unchanged except for the import line. Run the next
cell: it defines the state and shows a live UI. Press **Start**: a background task on the
kernel's own asyncio loop counts up twice a second until it reaches the number in the box.
You can keep running other cells while it counts.

- `counter`, `max_counter` and `running` are **vars**: they are synced to the browser.
- `_n_tasks` starts with an underscore, so it is a **backend var**: it never leaves the kernel.
- `my_task` is a **background task**. It changes state only inside `async with self:`, which
  takes the state's lock and sends all the block's changes as one update when it exits.
- `set_max_counter` was never written: every var gets an automatic setter that converts what the
  browser sends (`"7"` becomes `7`)."""),
        code(EXAMPLE),
        md("""## Reading and writing state from a cell

Components bound to `MyTaskState` use its kernel-wide default instance. `rx.get_state` returns
it. Its repr shows the public vars only."""),
        code("state = rx.get_state(MyTaskState)\nstate"),
        md("""Writing from a cell applies at once and updates every view, as long as no handler or task
holds the lock. While one does, the write raises `StateLockedError` and tells you to write
`async with state:` instead, which waits for the lock."""),
        code("state.max_counter = 3\nstate.max_counter"),
        md("""## Driving it from Python

`rx.fire` runs a handler exactly as a click would, and can be awaited. Here we start the task
and wait, in this cell, until it stops at `max_counter`. The view above follows along."""),
        code("""await rx.fire(MyTaskState.toggle_running)
while state.running:
    await asyncio.sleep(0.1)
state"""),
        code("await rx.fire(MyTaskState.clear_counter)\nstate.counter"),
    ],
    "02_progress_dashboard.ipynb": [
        md("""# A live progress dashboard

A background task works through a batch of items and reports as it goes. The dashboard shows a
progress bar, counts and a log; all of it updates live while the task runs, and every
`async with self:` block reaches the browser as a single update.

`percent` is a **computed var** (`@rx.var`): it is cached, recomputed only when `done` or
`total` change, and synced like any other var. `policy="skip"` means pressing *Run* again while
a run is going does nothing."""),
        code("""import asyncio
import random
import nbstate as rx


class Pipeline(rx.State):
    total: int = 40
    done: int = 0
    failed: int = 0
    running: bool = False
    log: list[str] = []
    _seed: int = 7

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @rx.background(policy="skip")
    async def run(self):
        async with self:
            self.running = True
            self.done = 0
            self.failed = 0
            self.log = []
        rng = random.Random(self._seed)
        for i in range(self.total):
            await asyncio.sleep(0.05)  # the real work would happen here
            async with self:
                self.done += 1
                if rng.random() < 0.1:
                    self.failed += 1
                    self.log.append(f"item {i} failed")
        async with self:
            self.running = False
            self.log.append(f"finished: {self.done - self.failed} ok, {self.failed} failed")


rx.vstack(
    rx.heading("Batch import", level=3),
    rx.progress(value=Pipeline.percent, max_=100, width="24em"),
    rx.text(f"{Pipeline.done} / {Pipeline.total} items, {Pipeline.failed} failed"),
    rx.hstack(
        rx.button("Run", on_click=Pipeline.run, disabled=Pipeline.running),
        rx.cond(Pipeline.running, rx.spinner(), rx.badge("idle")),
    ),
    rx.foreach(Pipeline.log, lambda line: rx.text(line, font_size="0.85em")),
)"""),
        md("""Start a run from Python and wait for it. `rx.start` returns a handle you can await, cancel
or inspect; `rx.app.background_tasks` holds every running task."""),
        code("""handle = rx.start(Pipeline.run)
await handle
handle, rx.get_state(Pipeline).percent"""),
        code("rx.get_state(Pipeline).log"),
    ],
    "03_form_validation.ipynb": [
        md("""# A form with validation

Inputs call the automatic setters (`set_name`, `set_age`, ...), which convert what the browser
sends to each var's type. Input that cannot be converted is **refused with a clear error** and
the var keeps its value; Reflex silently drops such input.

Validation lives in a computed var, so the list of problems updates as you type, and *Submit*
stays disabled until the form is valid. A handler that raises shows its error in the view's
error area and rolls back everything it changed."""),
        code("""import nbstate as rx


class Signup(rx.State):
    name: str = ""
    email: str = ""
    age: int = 18
    accepted: bool = False
    members: list[str] = []

    @rx.var
    def problems(self) -> list[str]:
        out = []
        if not self.name.strip():
            out.append("Name is required")
        if "@" not in self.email:
            out.append("Email needs an @")
        if not 0 < self.age < 130:
            out.append("Age must be between 1 and 129")
        if not self.accepted:
            out.append("Please accept the terms")
        return out

    @rx.var
    def valid(self) -> bool:
        return not self.problems

    def submit(self):
        if self.problems:
            raise ValueError("; ".join(self.problems))
        self.members.append(f"{self.name} <{self.email}>, {self.age}")
        self.name = ""
        self.email = ""
        self.accepted = False


rx.vstack(
    rx.heading("Sign up", level=3),
    rx.input(placeholder="Name", value=Signup.name, on_change=Signup.set_name),
    rx.input(placeholder="Email", value=Signup.email, on_change=Signup.set_email),
    rx.hstack(rx.text("Age"), rx.number_input(value=Signup.age, on_change=Signup.set_age,
                                              width="6em")),
    rx.checkbox("I accept the terms", checked=Signup.accepted, on_change=Signup.set_accepted),
    rx.foreach(Signup.problems, lambda p: rx.text(p, color="var(--jp-error-color1, #c62828)")),
    rx.button("Submit", on_click=Signup.submit, disabled=~Signup.valid),
    rx.divider(),
    rx.text(f"Members: {Signup.members.length()}"),
    rx.foreach(Signup.members, lambda m: rx.text(m)),
)"""),
        md(
            """The setters convert strings the way a form needs, and refuse what they cannot convert:"""
        ),
        code("""form = rx.get_state(Signup)
form.set_age("42")
try:
    form.set_age("forty")
except rx.CoercionError as err:
    print(err)
form.age"""),
        md("""Submitting an invalid form raises inside the handler: the error is recorded (here we print
it), shown in the view, and nothing the handler changed is kept."""),
        code("""try:
    await rx.fire(Signup.submit)
except ValueError as err:
    print("refused:", err)"""),
        code("""await rx.fire(Signup.set_name, "Ada Lovelace")
await rx.fire(Signup.set_email, "ada@example.org")
await rx.fire(Signup.set_accepted, "true")
await rx.fire(Signup.submit)
form.members, form.problems"""),
    ],
    "04_list_editor.ipynb": [
        md("""# A list editor

`rx.foreach` renders one row per item, in the browser. Handlers change the list **in place**
(`append`, item assignment, `del`) and nbstate tracks that as a change, just like assigning a new
list. Each row's buttons pass the row's index to the handler."""),
        code("""import nbstate as rx


class Todos(rx.State):
    items: list[dict] = [
        {"text": "Write the docs", "done": True},
        {"text": "Ship the release", "done": False},
    ]
    draft: str = ""

    @rx.var
    def remaining(self) -> int:
        return sum(not item["done"] for item in self.items)

    def add(self):
        text = self.draft.strip()
        if text:
            self.items.append({"text": text, "done": False})
        self.draft = ""

    def toggle(self, index: int):
        self.items[index]["done"] = not self.items[index]["done"]

    def remove(self, index: int):
        del self.items[index]


def row(item, index):
    return rx.hstack(
        rx.checkbox(checked=item["done"], on_change=Todos.toggle(index)),
        rx.text(item["text"], as_="span"),
        rx.spacer(),
        rx.button("Remove", on_click=Todos.remove(index), variant="ghost", size="sm"),
        width="22em",
    )


rx.vstack(
    rx.heading(f"{Todos.remaining} left to do", level=3),
    rx.hstack(
        rx.input(placeholder="New item", value=Todos.draft, on_change=Todos.set_draft,
                 on_submit=Todos.add),
        rx.button("Add", on_click=Todos.add),
    ),
    rx.foreach(Todos.items, row),
)"""),
        md("""The same handlers work from Python; in-place changes show in the view at once."""),
        code("""todos = rx.get_state(Todos)
await rx.fire(Todos.set_draft, "Answer the issues")
await rx.fire(Todos.add)
await rx.fire(Todos.toggle, 1)
todos.items, todos.remaining"""),
        md("""Direct in-place changes from a cell count too, when no handler holds the lock:"""),
        code("""todos.items.append({"text": "Celebrate", "done": False})
todos.remaining"""),
    ],
    "05_long_job_cancel.ipynb": [
        md("""# A long job with a Cancel button

A background task runs a long job step by step. **Cancel** stops it: the task receives
`asyncio.CancelledError` at its next `await`. If that happens inside an `async with self:` block,
the block's changes are rolled back, so the state never shows half of a step.

`policy="replace"` means pressing *Start* while a job runs cancels it and starts over."""),
        code("""import asyncio
import nbstate as rx


class Job(rx.State):
    progress: int = 0
    status: str = "idle"

    @rx.background(policy="replace")
    async def crunch(self, steps: int = 50):
        async with self:
            self.status = "running"
            self.progress = 0
        try:
            for i in range(steps):
                await asyncio.sleep(0.1)  # one step of real work
                async with self:
                    self.progress = round(100 * (i + 1) / steps)
        except asyncio.CancelledError:
            async with self:
                self.status = f"cancelled at {self.progress}%"
            raise
        async with self:
            self.status = "done"

    def cancel(self):
        rx.cancel_all(self)


rx.vstack(
    rx.heading("Long job", level=3),
    rx.progress(value=Job.progress, max_=100, width="24em"),
    rx.text(Job.status),
    rx.hstack(
        rx.button("Start", on_click=Job.crunch),
        rx.button("Cancel", on_click=Job.cancel, disabled=Job.status != "running"),
    ),
)"""),
        md("""From Python: start it, wait until it is a fifth done, cancel the handle, and wait for the
task to unwind."""),
        code("""job = rx.get_state(Job)
handle = rx.start(Job.crunch)
while job.progress < 20:
    await asyncio.sleep(0.01)
handle.cancel()
await asyncio.gather(handle, return_exceptions=True)
handle, job.status"""),
        md("""`rx.cancel_all()` cancels every run in the kernel (`rx.cancel_all(state)` only that state's),
and `rx.close(state)` also closes the state for good."""),
        code("""handle = rx.start(Job.crunch, 1000)
await asyncio.sleep(0.3)
cancelled = rx.cancel_all()
await asyncio.gather(*cancelled, return_exceptions=True)
[h.status for h in cancelled], job.status.startswith("cancelled")"""),
    ],
    "06_task_monitor.ipynb": [
        md("""# Seeing tasks: progress and the task monitor

A run reports how far along it is with `rx.report(done, total, label=...)`, or by iterating
through `rx.track(...)`, which reports after each item, like tqdm. Neither needs a reference to
the run or the lock. `rx.track(..., into=MyState.var)` also writes the fraction done into a
float var, at most once per frame.

`rx.task_monitor()` lists every run of the kernel: its progress (a bar, or a spinner while the
total is unknown), how long it has run, its rate and ETA, how it ended, and a **Cancel** button
for each run. Start the three jobs below and cancel one."""),
        code("""import asyncio
import nbstate as rx


async def pages():
    # A source whose length is unknown in advance.
    n = 0
    while True:
        await asyncio.sleep(0.05)
        n += 1
        yield n


class Pipeline(rx.State):
    fraction: float = 0.0
    files: int = 0

    @rx.background
    async def ingest(self, n: int = 40):
        async for _ in rx.track(range(n), label="files", into=Pipeline.fraction):
            await asyncio.sleep(0.1)  # read one file
            async with self:
                self.files += 1

    @rx.background
    async def crawl(self, limit: int = 400):
        async for page in rx.track(pages(), label="pages"):
            if page >= limit:
                return page

    @rx.background
    async def train(self, epochs: int = 30):
        for epoch in range(epochs):
            await asyncio.sleep(0.2)  # one epoch
            rx.report(epoch + 1, epochs, label=f"epoch {epoch + 1}")


rx.vstack(
    rx.hstack(
        rx.button("Ingest", on_click=Pipeline.ingest),
        rx.button("Crawl", on_click=Pipeline.crawl),
        rx.button("Train", on_click=Pipeline.train),
    ),
    rx.hstack(rx.text(f"{Pipeline.files} files"), rx.progress(value=Pipeline.fraction, max_=1, width="16em")),
    rx.task_monitor(),
    width="44em",
)"""),
        md("""From Python, each run's handle carries its progress. Here three runs start, the crawl (whose
total is unknown) is cancelled, and the others finish."""),
        code("""runs = [rx.start(Pipeline.ingest, 5), rx.start(Pipeline.crawl), rx.start(Pipeline.train, 3)]
await asyncio.sleep(0.2)
runs[1].cancel()
await asyncio.gather(*runs, return_exceptions=True)
[(h.name, h.status) for h in runs], runs[0].progress, runs[2].progress"""),
        code("""rx.get_state(Pipeline).fraction, rx.get_state(Pipeline).files"""),
        md("""`rx.task_monitor(state)` lists only the runs of one instance, and `rx.task_monitor(MyState)`
those of every instance of the class; `keep=` sets how many finished runs stay listed."""),
        md("""## Telling the user: toasts and downloads

A handler or a background task can return or yield `rx.toast(message, level=...)`, a notice
that shows for a few seconds in every view of its state, and `rx.download(data, filename=...)`,
a file (bytes, text, or a pandas DataFrame as CSV) that the browser saves once. Both are sent
only when the step that produced them commits. `on_mount=` on any component runs a handler
when the component appears in a view."""),
        code("""class Results(rx.State):
    opened: int = 0
    rows: list[dict] = [{"file": "a.csv", "lines": 120}, {"file": "b.csv", "lines": 87}]

    def seen(self):
        self.opened += 1

    @rx.background
    async def check(self):
        await asyncio.sleep(0.5)
        yield rx.toast(f"checked {len(self.rows)} files", level="success")

    def export(self):
        text = "file,lines\\n" + "".join(f"{r['file']},{r['lines']}\\n" for r in self.rows)
        return [rx.download(text, filename="results.csv"), rx.toast("results.csv saved")]


rx.hstack(
    rx.button("Check", on_click=Results.check),
    rx.button("Download CSV", on_click=Results.export),
    rx.text(f"shown {Results.opened} times", on_mount=Results.seen),
)"""),
        code("""d = rx.download("file,lines\\na.csv,120\\n", filename="../results.csv")
d.filename, d.mime, len(d.data)"""),
    ],
    "08_shared_jobs.ipynb": [
        md("""# One state, many kernels

`class Jobs(rx.State, shared=True)` keeps the state's vars in Redis. Every kernel that has the
state shows the same values, live, and `async with self:` takes a lock that spans kernels: a
Redis lease, renewed while the block runs, with a fencing number, so a kernel that lost its
lease (paused, cut off) cannot commit, and its block rolls back.

`make lab` starts a private `redis-server` for these notebooks and sets `NBSTATE_REDIS_URL`.
Elsewhere, point nbstate at a server with `rx.app.redis_url = "redis://host:6379/0"`.

The class lives in `shared_jobs.py`, a module both kernels import: values travel between
kernels pickled, so every kernel needs the same types. Open `08b_shared_worker.ipynb` in a
second tab (its own kernel) and press the buttons in either: both boards move together."""),
        code("""import nbstate as rx
from shared_jobs import Jobs, board

jobs = rx.get_state(Jobs)
async with jobs:
    jobs.reset()  # start from an empty board, in every kernel
board()"""),
        md("""A second kernel, started from here, runs ten jobs on the same state while this kernel
runs ten of its own. The board above follows both as they commit, and no increment is lost."""),
        code("""import asyncio
import os

from jupyter_client.manager import AsyncKernelManager

second = AsyncKernelManager(kernel_name="python3", transport="ipc")
await second.start_kernel(cwd=os.getcwd())
client = second.client()
client.start_channels()
await client.wait_for_ready(timeout=60)

there = client.execute_interactive(
    '''import nbstate as rx
from shared_jobs import Jobs
await rx.start(Jobs.run, 10, "the second kernel")''',
    output_hook=lambda msg: None,
    timeout=60,
)
here = rx.start(Jobs.run, 10, "this kernel")
reply, _ = await asyncio.gather(there, here)
await rx.wait_until(lambda: jobs.done == 20, timeout=10)
reply["content"]["status"], jobs.status"""),
        md("""`_kernels` is a backend var: it is kept in Redis and in the kernels, and never sent to
a browser. Both runs counted themselves in it."""),
        code("""jobs._kernels"""),
        md("""Done: stop the second kernel, and clear the board for the next visitor (every
kernel's board empties)."""),
        code("""client.stop_channels()
await second.shutdown_kernel(now=True)
async with jobs:
    jobs.reset()
jobs.status"""),
    ],
    "08b_shared_worker.ipynb": [
        md("""# The same job board, from another kernel

Open this notebook next to `08_shared_jobs.ipynb`. Its kernel is a separate process, yet the
board shows the same values: a change committed in either kernel reaches the other's views
through Redis. Run jobs here and watch both boards."""),
        code("""import nbstate as rx
from shared_jobs import Jobs, board

jobs = rx.get_state(Jobs)
board()"""),
        code("""before = jobs.done
await rx.start(Jobs.run, 5, "notebook 08b")
jobs.done - before"""),
    ],
}


def main() -> None:
    ROOT.mkdir(exist_ok=True)
    server = None
    if not os.environ.get("NBSTATE_REDIS_URL"):  # the shared-state notebooks need a Redis
        sys.path.insert(0, str(ROOT.parent))
        from tests.shared.redis_server import RedisServer

        server = RedisServer()
        server.start()
        os.environ["NBSTATE_REDIS_URL"] = server.url
    try:
        _build()
    finally:
        if server is not None:
            server.close()


def _build() -> None:
    only = set(sys.argv[1:])
    for name, cells in NOTEBOOKS.items():
        if only and name not in only:
            continue
        nb = nbformat.v4.new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            store_widget_state=False,
            resources={"metadata": {"path": str(ROOT)}},
        ).execute()
        nbformat.write(nb, ROOT / name)
        print("wrote", name)


if __name__ == "__main__":
    main()
