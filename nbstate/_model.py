"""The traitlets bridge: one anywidget model per State instance, one synced trait per var.

Var ``counter`` is the trait ``v_counter``: the prefix keeps users' names (``keys``, ``open``,
``log``, ``layout``...) clear of the widget's own attributes. Backend vars are never traits.
"""

from __future__ import annotations

import pathlib
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

if TYPE_CHECKING:
    from ._runtime import Runtime

_STATE_BUNDLE = pathlib.Path(__file__).parent / "static" / "state.js"
_MISSING_STATE_BUNDLE = """
export default { initialize() {
  console.warn("[nbstate] the frontend bundle is missing: run `make lab` (or `pip install -e .`).");
} };
"""


def _state_esm() -> Any:
    return _STATE_BUNDLE if _STATE_BUNDLE.exists() else _MISSING_STATE_BUNDLE


class StateModel(anywidget.AnyWidget):  # type: ignore[misc]
    """The synced side of a State instance. Created by nbstate; do not instantiate it."""

    _esm = _state_esm()
    _nbstate_class = traitlets.Unicode("").tag(sync=True)
    _nbstate_errors: traitlets.List[Any] = traitlets.List().tag(sync=True)

    def __init__(self, rt: Runtime, values: dict[str, Any], errors: list[Any]) -> None:
        self._nb_rt = rt
        traits = {f"v_{k}": v for k, v in values.items()}
        super().__init__(_nbstate_class=rt.label, _nbstate_errors=errors, **traits)
        self.on_msg(self._on_custom)

    def __repr__(self) -> str:
        return f"<nbstate model of {self._nb_rt.label}>"

    def _on_custom(self, _widget: Any, content: Any, buffers: Any) -> None:
        # May run on a subshell thread: Runtime.receive hands itself to the main loop.
        self._nb_rt.receive(content, buffers)

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Refuse writes from the frontend: state changes only through event handlers."""
        _refuse_write(self._nb_rt, sorted(sync_data))

    def push(self, values: dict[str, Any]) -> None:
        """Store JSON values in traits and send them all as one update message."""
        tv = self._trait_values
        for key, value in values.items():
            tv[key] = value
        self.send_state(list(values))


def _refuse_write(rt: Runtime, keys: list[str]) -> None:
    from ._loop import main_loop, on_main_thread

    def refuse() -> None:
        if rt.model is None:
            return
        names = ", ".join(k[2:] if k.startswith("v_") else k for k in keys)
        rt._refuse(
            None,
            f"{rt.label}: the browser tried to set {names} directly; state changes only through "
            "event handlers (use the set_<var> handler)",
        )
        current = {k: rt.model._trait_values.get(k) for k in keys if rt.model.has_trait(k)}
        if current:
            rt.model.send_state(list(current))

    if on_main_thread():
        refuse()
    else:
        (rt.loop or main_loop()).call_soon_threadsafe(refuse)


def model_class(state_name: str, var_names: list[str]) -> type[StateModel]:
    """A StateModel subclass with one synced trait per public and computed var."""
    traits: dict[str, Any] = {
        f"v_{n}": traitlets.Any(None, allow_none=True).tag(sync=True) for n in var_names
    }
    return type(f"{state_name}Model", (StateModel,), traits)
