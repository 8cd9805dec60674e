"""nbstate: Reflex-style application state for Jupyter notebooks.

Declare a :class:`State` with typed vars and event handlers, bind components to it, and display
them. Background tasks (``@nbstate.background``) change state inside ``async with self:``
blocks while you keep running cells.
"""

from __future__ import annotations

from . import chakra
from ._api import cancel_all, close, errors, fire, get_state, model, start
from ._app import app
from ._errors import (
    BackgroundCallError,
    CoercionError,
    EventRejected,
    ImmutableStateError,
    NbstateError,
    NestedBlockError,
    StateClosedError,
    StateDefinitionError,
    StateLockedError,
    WrongThreadError,
)
from ._expr import Var
from ._handlers import EventHandler, EventSpec, background, event
from ._report import ErrorRecord
from ._state import State
from ._tasks import TaskHandle
from ._vars import computed as var
from ._view import View
from .components import (
    badge,
    box,
    button,
    callout,
    checkbox,
    code,
    cond,
    data_table,
    divider,
    foreach,
    form,
    fragment,
    grid,
    heading,
    hstack,
    image,
    input,
    link,
    markdown,
    number_input,
    progress,
    radio_group,
    select,
    slider,
    spacer,
    spinner,
    switch,
    text,
    text_area,
    vstack,
)


def view(root: object, bind: dict[type, State] | None = None) -> View:
    """A live view of ``root``; ``bind={MyState: other}`` shows another instance of MyState."""
    return View(root, bind)


__version__ = "0.1.0"

__all__ = [
    "BackgroundCallError",
    "CoercionError",
    "ErrorRecord",
    "EventHandler",
    "EventRejected",
    "EventSpec",
    "ImmutableStateError",
    "NbstateError",
    "NestedBlockError",
    "State",
    "StateClosedError",
    "StateDefinitionError",
    "StateLockedError",
    "TaskHandle",
    "Var",
    "View",
    "WrongThreadError",
    "app",
    "background",
    "badge",
    "box",
    "button",
    "callout",
    "cancel_all",
    "chakra",
    "checkbox",
    "close",
    "code",
    "cond",
    "data_table",
    "divider",
    "errors",
    "event",
    "fire",
    "foreach",
    "form",
    "fragment",
    "get_state",
    "grid",
    "heading",
    "hstack",
    "image",
    "input",
    "link",
    "markdown",
    "model",
    "number_input",
    "progress",
    "radio_group",
    "select",
    "slider",
    "spacer",
    "spinner",
    "start",
    "switch",
    "text",
    "text_area",
    "var",
    "view",
    "vstack",
]
