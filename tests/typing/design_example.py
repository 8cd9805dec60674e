"""The DESIGN.md example, exactly as notebooks/01_counter_task.ipynb has it (a test checks)."""

import asyncio
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
)
