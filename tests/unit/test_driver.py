"""nbstate.testing.mount: a view driven headless, found by role and text, as a person would."""

from __future__ import annotations

import asyncio

import pytest

import nbstate as rx
from nbstate.testing import mount
from tests.typing.design_example import MyTaskState


def design_tree() -> rx.Component:
    return rx.hstack(
        rx.heading(MyTaskState.counter, " /"),
        rx.chakra.number_input(
            value=MyTaskState.max_counter, on_change=MyTaskState.set_max_counter, width="8em"
        ),
        rx.button(
            rx.cond(~MyTaskState.running, "Start", "Stop"), on_click=MyTaskState.toggle_running
        ),
        rx.button("Reset", on_click=MyTaskState.clear_counter),
    )


async def test_the_design_example_driven_by_role() -> None:
    """Type a max, click Start: the heading counts to the max, and the button says Start again."""
    ui = mount(design_tree())
    assert ui.text() == "0 /StartReset"
    ui.get_by_role("spinbutton").fill("2")
    ui.get_by_role("button", name="Start").click()
    await ui.settle()
    assert ui.get_by_role("button", name="Stop").count() == 1
    await rx.wait_until(lambda: ui.get_by_role("button", name="Start").count() == 1, timeout=5)
    assert ui.get_by_role("heading").text() == "2 /"
    assert ui.get_by_role("spinbutton").input_value() == 2
    ui.get_by_role("button", name="Reset").click()
    await ui.settle()
    assert ui.get_by_role("heading").text() == "0 /"


class Todos(rx.State):
    items: list[dict[str, object]] = [
        {"text": "docs", "done": True},
        {"text": "release", "done": False},
    ]
    draft: str = ""
    show_done: bool = True
    _secret: str = "kernel-only-value"

    def add(self) -> None:
        self.items.append({"text": self.draft, "done": False})
        self.draft = ""

    def toggle(self, index: int) -> None:
        self.items[index]["done"] = not self.items[index]["done"]

    def remove(self, index: int) -> None:
        del self.items[index]


def todo_tree() -> rx.Component:
    def row(item: rx.Var[dict[str, object]], index: rx.Var[int]) -> rx.Component:
        return rx.hstack(
            rx.checkbox(item["text"], checked=item["done"], on_change=Todos.toggle(index)),
            rx.button(
                "Remove", on_click=Todos.remove(index), hidden=~Todos.show_done & item["done"]
            ),
        )

    return rx.vstack(
        rx.input(
            value=Todos.draft,
            placeholder="New item",
            on_change=Todos.set_draft,
            on_submit=Todos.add,
        ),
        rx.foreach(Todos.items, row),
        rx.cond(Todos.items.length() == 0, rx.text("Nothing to do")),
    )


async def test_foreach_rows_are_found_and_their_events_carry_the_row() -> None:
    """Each row's checkbox (labelled by its text) and Remove button act on that row."""
    ui = mount(todo_tree())
    assert ui.get_by_role("checkbox").count() == 2
    ui.get_by_label("release").click()
    await ui.settle()
    assert rx.get_state(Todos).items[1]["done"] is True
    ui.get_by_placeholder("New item").fill("party")
    ui.get_by_placeholder("New item").press("Enter")
    await ui.settle()
    assert [i["text"] for i in rx.get_state(Todos).items] == ["docs", "release", "party"]
    assert ui.get_by_placeholder("New item").input_value() == ""
    ui.get_by_label("docs").element()  # found by its own text
    rows = ui.get_by_role("button", name="Remove").all()
    assert len(rows) == 3
    ui.get_by_role("button", name="Remove").nth(1).click()
    await ui.settle()
    assert [i["text"] for i in rx.get_state(Todos).items] == ["docs", "party"]
    ui.get_by_role("button", name="Remove").last.click()
    await ui.settle()
    ui.get_by_role("button", name="Remove").first.click()
    await ui.settle()
    assert ui.text() == "Nothing to do"


async def test_hidden_components_are_not_found() -> None:
    """hidden=True (here an expression) leaves a component out, as the browser hides it."""
    ui = mount(todo_tree())
    assert ui.get_by_role("button", name="Remove").count() == 2
    rx.get_state(Todos).show_done = False
    assert ui.get_by_role("button", name="Remove").count() == 1  # the done row's is hidden


async def test_get_by_text_finds_the_innermost_component() -> None:
    """The text is in the button, not in the stack around it."""
    ui = mount(design_tree())
    [el] = ui.get_by_text("Reset").all()
    assert el.name == "button"
    assert ui.get_by_text("reset").count() == 1  # substring, case-insensitive by default
    assert ui.get_by_text("reset", exact=True).count() == 0


async def test_what_a_person_could_not_do_is_refused_with_a_reason() -> None:
    """Ambiguous locators, disabled buttons, typing into a button and text into a number."""

    class D(rx.State):
        n: int = 0

        def inc(self) -> None:
            self.n += 1

    ui = mount(
        rx.vstack(
            rx.button("Go", on_click=D.inc, disabled=D.n > 0),
            rx.button("Go too", on_click=D.inc),
            rx.number_input(value=D.n, on_change=D.set_n),
        )
    )
    with pytest.raises(LookupError, match="matched 2 elements"):
        ui.get_by_role("button", name="Go").click()
    ui.get_by_role("button", name="Go", exact=True).click()
    await ui.settle()
    with pytest.raises(RuntimeError, match="is disabled"):
        ui.get_by_role("button", name="Go", exact=True).click()
    with pytest.raises(TypeError, match="not a field"):
        ui.get_by_role("button", name="Go too").fill("x")
    with pytest.raises(ValueError, match="takes a number"):
        ui.get_by_role("spinbutton").fill("seven")
    with pytest.raises(ValueError, match="no component has the role"):
        ui.get_by_role("banner")
    assert rx.get_state(D).n == 1


async def test_it_shows_what_the_browser_holds_not_an_open_block() -> None:
    """Values come from the state model: a block's uncommitted change is not shown."""
    ui = mount(design_tree())
    state = rx.get_state(MyTaskState)
    entered, release = asyncio.Event(), asyncio.Event()

    async def block() -> None:
        async with state:
            state.counter = 5
            entered.set()
            await release.wait()

    task = asyncio.ensure_future(block())
    await entered.wait()
    assert ui.get_by_role("heading").text() == "0 /"
    release.set()
    await task
    await ui.settle()
    assert ui.get_by_role("heading").text() == "5 /"


async def test_backend_values_are_not_readable_through_the_driver() -> None:
    """The driver reads the models, which never carry backend vars."""
    ui = mount(todo_tree())
    assert all("kernel-only-value" not in str(e.props) for e in ui.elements())
    assert "kernel-only-value" not in ui.text()


async def test_a_view_mounts_as_it_is() -> None:
    """mount() takes a View too, and reads the states it binds."""
    other = MyTaskState(counter=4)
    ui = mount(rx.view(design_tree(), bind={MyTaskState: other}))
    ui.get_by_role("button", name="Start").click()  # toggles other's task
    await ui.settle()
    assert other.running
    await rx.fire(MyTaskState.toggle_running, state=other)
    assert not other.running
    assert ui.get_by_role("heading").text() in ("4 /", "5 /")
    assert rx.get_state(MyTaskState).counter == 0  # the default instance was not touched
