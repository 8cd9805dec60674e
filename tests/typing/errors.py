"""Mistakes a type checker must report; each line with an expected error says which."""

import nbstate as rx


class MyState(rx.State):
    counter: int = 0

    def inc(self, by: int) -> None:
        self.counter += by


s = rx.get_state(MyState)
s.countr = 3  # E: "MyState" has no attribute "countr"
x: str = s.counter  # E: Incompatible types in assignment (expression has type "int", variable has type "str")
s.counter = "seven"  # E: Incompatible types in assignment (expression has type "str", variable has type "int")
MyState.inc("three")  # E: Argument 1 to "__call__" of "EventHandler" has incompatible type "str"
MyState.set_counter()  # E: Missing positional argument "value"
MyState.nope  # E: "type[MyState]" has no attribute "nope"
y: int = MyState.counter  # E: Incompatible types in assignment (expression has type "Var[int]", variable has type "int")
rx.backgroud  # E: Module has no attribute "backgroud"; maybe "background"?
rx.track([1], totl=1)  # E: Unexpected keyword argument "totl" for "track"
