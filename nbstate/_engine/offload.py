"""``rx.offload`` and ``rx.offload_map``: run functions on a Dask cluster and await them.

Both go through ``distributed``'s async client on the kernel's loop (see :mod:`.cluster`), so
the kernel keeps running cells, events and other tasks while the cluster works.

- State never leaves the kernel. Before anything is sent, the function and every argument or
  item are pickled once into nothing with cloudpickle (what ``distributed`` uses), with a hook
  that stops at a State instance, a State class, a Var or a state's internals, wherever they
  hide: in a closure, a default, a global the function reads, a bound method's ``self``, or
  nested in a container. That is an :class:`~nbstate.OffloadError` that says to pass plain
  values, and nothing reached the scheduler.
- Cancelling the run (``handle.cancel()``, the task monitor's Cancel button, kernel shutdown)
  raises ``CancelledError`` where the run awaits; the futures are then cancelled on the
  cluster, so queued work never starts. A function already running on a worker thread runs to
  its end (Python cannot interrupt a thread); its result is dropped.
- A worker's exception is raised as itself, with the worker's traceback (the frames of the
  function that failed), plus a note that says where it ran; in a background task it becomes
  the run's error like any other (cell, views, ``rx.errors``).
- ``offload_map`` reports ``(done, total)`` to the run it belongs to, through ``rx.track``, so
  the task monitor and ``handle.progress`` show it; ``into=MyState.fraction`` also writes the
  fraction done into a float var.
"""

from __future__ import annotations

import asyncio
import functools
import pickle
from collections.abc import AsyncIterator, Callable, Iterable
from traceback import format_tb
from typing import Any, TypeVar

from .._base.errors import OffloadError
from .._core.core import Core
from .._state.state import State
from .._vars.expr import Var
from .cluster import dask_client, require_distributed
from .progress import this_run
from .report import print_traceback
from .track import track

T = TypeVar("T")

_ATOMIC = frozenset({int, float, complex, str, bytes, bool, type(None)})
_PLAIN_HINT = (
    "A State never leaves the kernel: read the values you need first and pass them as plain "
    "values (numbers, strings, lists, dicts, arrays), e.g. "
    "`await rx.offload(work, list(self.items))` with `def work(items): ...` defined at the "
    "top level of the notebook, not as a method of the State."
)


class _Found(Exception):
    """Raised inside the dry-run pickler when it meets something that must not leave."""

    def __init__(self, obj: Any) -> None:
        super().__init__()
        self.obj = obj


class _Sink:
    """A file that drops what is written: the dry run only needs to walk the object graph."""

    def write(self, data: Any) -> int:
        return len(data)


def _guard_pickler() -> type[pickle.Pickler]:
    import cloudpickle  # type: ignore[import-untyped]

    class Guard(cloudpickle.Pickler):  # type: ignore[misc]
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, (State, Core, Var)) or (
                isinstance(obj, type) and issubclass(obj, State)
            ):
                raise _Found(obj)
            return super().reducer_override(obj)

    return Guard


@functools.cache
def _pickler_class() -> type[pickle.Pickler]:
    return _guard_pickler()


def _describe(obj: Any) -> str:
    if isinstance(obj, State):
        return f"a {type(obj).__name__} state instance"
    if isinstance(obj, type):
        return f"the State class {obj.__name__}"
    if isinstance(obj, Var):
        return f"{obj!r}, a reference to a State's var"
    return f"the internals of {obj.label}" if isinstance(obj, Core) else repr(obj)


def _dry_run(value: Any) -> None:
    pickler = _pickler_class()(_Sink(), protocol=5, buffer_callback=lambda b: None)  # type: ignore[call-arg]
    pickler.dump(value)


def refuse_state(value: Any, where: str, api: str) -> None:
    """Raise OffloadError if ``value`` (or anything it carries) is or holds state, or cannot
    be pickled at all; ``where`` names it in the message ("argument 2", "the function f")."""
    try:
        _dry_run(value)
    except _Found as found:
        if found.obj is value:
            verb = "is"
        elif where.startswith("the function"):
            verb = "holds (in its closure, defaults, globals or bound self)"
        else:
            verb = "holds"
        raise OffloadError(
            f"{api}: {where} {verb} {_describe(found.obj)}, which cannot be sent to a Dask "
            f"worker. {_PLAIN_HINT}"
        ) from None
    except Exception as exc:
        raise OffloadError(
            f"{api}: {where} cannot be pickled to send it to a Dask worker "
            f"({type(exc).__name__}: {exc}). Pass plain values (numbers, strings, lists, dicts, "
            "arrays) or objects that pickle, and functions defined at module or notebook level."
        ) from exc


def _name(fn: Callable[..., Any]) -> str:
    inner = fn.func if isinstance(fn, functools.partial) else fn
    return str(getattr(inner, "__qualname__", None) or getattr(inner, "__name__", None) or fn)


def _check_fn(fn: Any, api: str) -> None:
    if not callable(fn):
        raise TypeError(f"{api} needs a function to run on the cluster first, got {fn!r}")
    if asyncio.iscoroutinefunction(fn):
        raise TypeError(
            f"{api} runs plain functions on Dask workers; {_name(fn)} is `async def`. Make it "
            "a plain `def` (the worker runs it in a thread), or await it in the kernel instead"
        )


def _check_call(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    api = "rx.offload"
    _check_fn(fn, api)
    refuse_state(fn, f"the function {_name(fn)}", api)
    for i, a in enumerate(args):
        if type(a) not in _ATOMIC:
            refuse_state(a, f"argument {i + 1} of {_name(fn)}", api)
    for k, v in kwargs.items():
        if type(v) not in _ATOMIC:
            refuse_state(v, f"keyword argument {k}= of {_name(fn)}", api)


def _remote_note(exc: BaseException, fn: Callable[..., Any], item: str = "") -> None:
    inner = fn.func if isinstance(fn, functools.partial) else fn
    code = getattr(inner, "__code__", None)
    where = (
        f" Frames in <dynamic-code> are functions sent by value; {_name(fn)} is defined in "
        f"{code.co_filename}, line {code.co_firstlineno}."
        if code is not None and "<dynamic-code>" in "".join(format_tb(exc.__traceback__))
        else ""
    )
    exc.add_note(
        f"rx.offload: {_name(fn)}{item} raised this on a Dask worker; the last frames of the "
        f"traceback are the worker's.{where}"
    )


async def cancel_futures(client: Any, futures: list[Any]) -> None:
    """Cancel ``futures`` on the cluster; a second cancellation does not stop it."""
    if not futures:
        return
    try:
        await asyncio.shield(client.cancel(futures))
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        # Cancellation is under way and must not be replaced by this error: say it instead.
        # The scheduler also releases the futures once this client lets go of them.
        print_traceback(
            f"nbstate: cancelling {len(futures)} Dask futures failed "
            f"({type(exc).__name__}: {exc}); the scheduler releases them when this client "
            "drops them or disconnects.\n"
        )


async def offload(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` on a Dask cluster and return its result.

    The kernel's loop keeps running meanwhile. The cluster is the one ``rx.app.dask`` names, or
    a LocalCluster nbstate starts on first use (shown once in the cell). Cancelling the
    awaiting run cancels the work on the cluster. A worker's exception is raised here with the
    worker's traceback. Passing a State, or a function that captures one, is refused before
    anything is sent (:class:`~nbstate.OffloadError`): pass plain values.

    >>> # inside an @rx.background task
    >>> # total = await rx.offload(count_words, path, lower=True)
    """
    require_distributed()
    _check_call(fn, args, kwargs)
    client = await dask_client()
    target = functools.partial(fn, **kwargs) if kwargs else fn
    future = client.submit(target, *args, pure=False)
    try:
        result: T = await future
    except asyncio.CancelledError:
        await cancel_futures(client, [future])
        raise
    except Exception as exc:
        if future.status == "error":
            _remote_note(exc, fn)
        raise
    finally:
        # Released now, not when the future is collected: a traceback that keeps this frame
        # alive would otherwise keep the task (and its result) on the cluster.
        future.release()
    return result


def offload_map(
    fn: Callable[..., T],
    items: Iterable[Any],
    *,
    label: str | None = None,
    into: Any = None,
) -> AsyncIterator[T]:
    """Run ``fn(item)`` for every item on a Dask cluster; iterate the results as they finish.

    ``async for result in rx.offload_map(fn, items):`` yields each result in the order the
    tasks complete, not the order of ``items`` (return the input with the result, or an index,
    when you need to match them). Inside a handler or background task it reports
    ``(done, total)`` to the run, so ``handle.progress`` and the task monitor show it (labelled
    ``label``, default the function's name); ``into=MyState.fraction`` also writes the fraction
    done into a float var, as ``rx.track`` does.

    ``items`` is read at once and everything is checked before anything is sent: a State, or a
    function that captures one, is an :class:`~nbstate.OffloadError`. Work is submitted when
    the iteration starts. The first item that fails on a worker raises its exception with the
    worker's traceback and a note naming the item; the other items are cancelled on the cluster.
    Leaving the loop early or cancelling the run cancels what has not finished.
    """
    require_distributed()
    api = "rx.offload_map"
    _check_fn(fn, api)
    if not isinstance(items, Iterable):
        raise TypeError(f"{api} needs an iterable of items, got {items!r}")
    values = list(items)
    refuse_state(fn, f"the function {_name(fn)}", api)
    _refuse_in_items(values, api)
    results = _results(fn, values)
    if into is None and this_run() is None:
        return results
    tracked = track(results, total=len(values), label=label or _name(fn), into=into)
    return tracked.__aiter__()


def _refuse_in_items(values: list[Any], api: str) -> None:
    complex_items = [(i, v) for i, v in enumerate(values) if type(v) not in _ATOMIC]
    if not complex_items:
        return
    try:
        _dry_run([v for _, v in complex_items])  # one pass for all; find the culprit on failure
    except Exception:
        for i, v in complex_items:
            refuse_state(v, f"item {i} of the items", api)
        raise


async def _results(fn: Callable[..., T], values: list[Any]) -> AsyncIterator[T]:
    if not values:
        return
    distributed = require_distributed()
    client = await dask_client()
    futures = client.map(fn, values, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    pending = {f.key: f for f in futures}
    completed = distributed.as_completed(futures, loop=client.loop)
    try:
        async for first in completed:
            batch = [first, *completed.next_batch(block=False)]
            ready = [f for f in batch if f.status == "finished"]
            gathered = dict(zip((f.key for f in ready), await client.gather(ready), strict=True))
            for f in ready:
                f.release()  # the result is here: free the worker's copy now
            for f in batch:
                if f.status != "finished":
                    await _raise_failed(f, fn, index[f.key], len(index))
                pending.pop(f.key, None)
                yield gathered.pop(f.key)
    finally:
        left = list(pending.values())
        pending.clear()
        completed.clear()
        await cancel_futures(client, left)
        # Released now, not when collected: a traceback that keeps this frame alive would
        # otherwise keep finished tasks (and their results) on the cluster.
        for f in futures:
            f.release()


async def _raise_failed(future: Any, fn: Callable[..., Any], i: int, total: int) -> None:
    """Raise what made ``future`` fail: the worker's exception, or that it was cancelled."""
    if future.status == "error":
        try:
            await future
        except Exception as exc:
            _remote_note(exc, fn, f" (item {i} of {total}; the other items were cancelled)")
            raise
    raise OffloadError(
        f"rx.offload_map: the Dask cluster {future.status} item {i} of {total} "
        f"({_name(fn)}) before it finished (another client cancelled it, or its worker was "
        "lost). Run it again; the other items were cancelled."
    )
