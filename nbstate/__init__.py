"""nbstate: Reflex-style application state for Jupyter notebooks.

Declare a :class:`State` with typed vars and event handlers, bind components to it, and display
them. Background tasks (``@nbstate.background``) change state inside ``async with self:``
blocks while you keep running cells.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import chakra, components
from ._api import cancel_all, close, errors, fire, get_state, model, start, view
from ._base.app import app
from ._base.errors import (
    BackgroundCallError,
    CoercionError,
    CommitRefusedError,
    DeadlockError,
    EventRejected,
    ImmutableStateError,
    NbstateError,
    NestedBlockError,
    OffloadError,
    SharedStateError,
    StateClosedError,
    StateDefinitionError,
    StateLockedError,
    VarTypeError,
    WrongThreadError,
)
from ._engine.notices import download, toast
from ._engine.progress import Progress, report
from ._engine.report import ErrorRecord
from ._engine.tasks import TaskHandle
from ._settle import idle, wait_until
from ._state.handlers import EventHandler, EventSpec, background, event
from ._state.state import State
from ._ui.view import View
from ._vars.expr import Var
from ._vars.vars import computed as var
from .components import *  # noqa: F403 (the component functions are part of the face)

if TYPE_CHECKING:
    from ._engine.offload import offload, offload_map
    from ._engine.track import track
    from ._ui.monitor import task_monitor

_LAZY = {
    "offload": "._engine.offload",
    "offload_map": "._engine.offload",
    "track": "._engine.track",
    "task_monitor": "._ui.monitor",
}
"""Names imported on first use: their modules (Dask's glue, the task monitor's State class)
are not needed to show a UI, and every fresh kernel's first render waits for ``import nbstate``."""


if not TYPE_CHECKING:  # hidden from type checkers: a module __getattr__ makes every typo Any

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'nbstate' has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY})


__version__ = "0.1.0"

__all__ = [
    "BackgroundCallError",
    "CoercionError",
    "CommitRefusedError",
    "DeadlockError",
    "ErrorRecord",
    "EventHandler",
    "EventRejected",
    "EventSpec",
    "ImmutableStateError",
    "NbstateError",
    "NestedBlockError",
    "OffloadError",
    "SharedStateError",
    "Progress",
    "State",
    "StateClosedError",
    "StateDefinitionError",
    "StateLockedError",
    "TaskHandle",
    "Var",
    "VarTypeError",
    "View",
    "WrongThreadError",
    "app",
    "background",
    "cancel_all",
    "chakra",
    "close",
    "download",
    "errors",
    "event",
    "fire",
    "get_state",
    "idle",
    "model",
    "offload",
    "offload_map",
    "report",
    "start",
    "task_monitor",
    "toast",
    "track",
    "var",
    "view",
    "wait_until",
    *components.__all__,
]
