"""The messages between kernel and browser, typed. ``docs/protocol.md`` describes them in prose
and ``js/src/types.ts`` is the browser's side of the same shapes."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

# -- browser -> kernel (custom messages on a state model) ------------------------------------


class EventMessage(TypedDict):
    """Run a handler of the state the message is sent on."""

    kind: Literal["event"]
    handler: str
    id: NotRequired[int | None]
    args: NotRequired[list[Any]]
    view: NotRequired[str | None]


class DismissMessage(TypedDict):
    """Remove an error entry from every view."""

    kind: Literal["dismiss"]
    id: int


# -- kernel -> browser (custom messages on a state model) ------------------------------------


class DoneReply(TypedDict):
    """An accepted event has run (or failed; failures also show in the error entries)."""

    kind: Literal["done"]
    id: int
    cancelled: NotRequired[bool]


class RejectedReply(TypedDict):
    """An event was refused before anything ran."""

    kind: Literal["rejected"]
    id: int | None
    error: str


class ToastMessage(TypedDict):
    """A committed step's toast: every view of the state shows it for ``duration`` ms
    (``None``: until closed)."""

    kind: Literal["toast"]
    message: str
    level: Literal["info", "success", "warning", "error"]
    duration: int | None


class DownloadMessage(TypedDict):
    """A committed step's download; its bytes are the message's one buffer. One view saves it:
    ``view`` if that view is on the page, else the first view that hears it."""

    kind: Literal["download"]
    filename: str
    mime: str
    size: int
    view: str | None


class PatchOp(TypedDict):
    """One in-place change of a var's JSON value, at ``path`` from its root."""

    op: Literal["set", "insert", "append", "delete", "replace"]
    path: list[str | int]
    value: NotRequired[Any]


class BatchEntry(TypedDict, total=False):
    """One state model's committed changes in a batch: trait values, and patch ops per var."""

    state: dict[str, Any]
    patches: dict[str, list[PatchOp]]
    echo: dict[str, str]  # trait -> msg_id of the browser update this value answers


class BatchMessage(TypedDict):
    """Kernel -> browser on the hub model: every state's changes of one frame, in order.

    ``seq`` counts batches from 1; ``full`` marks a batch with every current value (the answer
    to a hub's ``hello``).
    """

    kind: Literal["batch"]
    seq: int
    models: dict[str, BatchEntry]
    full: NotRequired[bool]


class ModulesMessage(TypedDict):
    """Browser -> kernel on the hub model, once per page: where that page can import a view's
    ESM from (its labextensions URL), or ``None`` (``assets.ModuleBase``)."""

    kind: Literal["modules"]
    page: str
    base: str | None


class ErrorEntry(TypedDict):
    """One error shown in the error area of every view of a state (``_nbstate_errors``)."""

    id: int
    handler: str
    type: str
    message: str
    traceback: str


Reply = DoneReply | RejectedReply
KernelMessage = DoneReply | RejectedReply | BatchMessage | ToastMessage | DownloadMessage

# The ipywidgets comm methods a frontend may send; anything else is refused.
COMM_METHODS = frozenset({"update", "request_state", "custom"})
