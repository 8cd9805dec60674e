"""nbstate: Reflex-style application state for Jupyter notebooks.

Declare a :class:`State` with typed vars and event handlers, bind components to it, and display
them. Background tasks (``@nbstate.background``) change state inside ``async with self:``
blocks while you keep running cells.
"""

from __future__ import annotations

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
    "WrongThreadError",
    "app",
    "background",
    "cancel_all",
    "close",
    "errors",
    "event",
    "fire",
    "get_state",
    "model",
    "start",
    "var",
]
