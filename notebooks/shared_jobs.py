"""A job board shared by every kernel that imports it (notebooks 08 and 08b).

A shared state's vars travel between kernels pickled, so the class (and any type its vars use)
lives in a module that every kernel imports, not in a notebook cell.
"""

import asyncio
import os

import nbstate as rx


class Jobs(rx.State, shared="example-jobs"):
    done: int = 0
    planned: int = 0
    log: list[str] = []
    _kernels: int = 0  # a backend var: kept in Redis and the kernels, never sent to a browser

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done / self.planned) if self.planned else 0

    @rx.var
    def status(self) -> str:
        return f"{self.done} of {self.planned} jobs done"

    def clear(self):
        self.done = 0
        self.planned = 0
        self.log = []

    @rx.background
    async def run(self, n: int = 10, who: str = ""):
        who = who or f"kernel {os.getpid()}"
        async with self:
            self.planned += n
            self._kernels += 1
        for i in rx.track(range(n), label=f"jobs from {who}"):
            await asyncio.sleep(0.05)  # one job's work
            async with self:
                self.done += 1
                self.log = [*self.log[-4:], f"{who}: job {i + 1}"]


def board():
    """The job board: the same view in every kernel, showing the same values."""
    return rx.vstack(
        rx.heading("Shared job board"),
        rx.progress(value=Jobs.percent, max=100),
        rx.text(Jobs.status),
        rx.foreach(Jobs.log, lambda line: rx.text(line)),
        rx.hstack(
            rx.button("Run 20 jobs here", on_click=Jobs.run(20)),
            rx.button("Clear", on_click=Jobs.clear),
        ),
    )
