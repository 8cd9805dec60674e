"""Types users see: each reveal_type is checked against the comment after it."""

import nbstate as rx


class MyState(rx.State):
    counter: int = 0
    name: str = ""
    items: list[int] = []
    _secret: str = ""

    @rx.var
    def double(self) -> int:
        return self.counter * 2

    @rx.var(cache=False)
    def now(self) -> float:
        return 0.0

    @rx.var(deps=["counter"])
    def label(self) -> str:
        return str(self.counter)

    def inc(self, by: int) -> None:
        self.counter += by

    @rx.background
    async def run(self) -> None:
        async with self:
            self.counter += 1

    @rx.event
    def reset_all(self) -> None:
        self.counter = 0


s = rx.get_state(MyState)
reveal_type(MyState.counter)  # Var[int]
reveal_type(s.counter)  # int
reveal_type(MyState.items)  # Var[list[int]]
reveal_type(s.items)  # list[int]
reveal_type(MyState.double)  # Var[int]
reveal_type(s.double)  # int
reveal_type(MyState.now)  # Var[float]
reveal_type(s.now)  # float
reveal_type(MyState.label)  # Var[str]
reveal_type(MyState.inc)  # EventHandler[[by: int]]
reveal_type(MyState.inc(3))  # EventSpec
reveal_type(MyState.set_counter)  # EventHandler[[value: int]]
reveal_type(MyState.set_counter(5))  # EventSpec
reveal_type(MyState.run)  # EventHandler[[]]
reveal_type(MyState.reset_all)  # EventHandler[[]]
reveal_type(~MyState.counter)  # Var[bool]
reveal_type(MyState.counter > 3)  # Var[bool]
reveal_type(MyState.items.length())  # Var[int]
reveal_type(rx.get_state(MyState))  # MyState
reveal_type(rx.start(MyState.run))  # TaskHandle
reveal_type(s.inc)  # def (by: int)
reveal_type(MyState.reset)  # EventHandler[[]]


class Child(MyState):
    extra: int = 0


reveal_type(Child.inc)  # EventHandler[[by: int]]
reveal_type(Child.set_counter)  # EventHandler[[value: int]]
reveal_type(Child.reset)  # EventHandler[[]]
reveal_type(Child.counter)  # Var[int]


class OwnReset(rx.State):
    n: int = 0

    def reset(self, to: int) -> None:  # a user's reset may take arguments
        self.n = to


reveal_type(OwnReset.reset)  # EventHandler[[to: int]]
