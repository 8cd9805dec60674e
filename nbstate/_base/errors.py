"""Exceptions raised by nbstate. Each message says what went wrong and what to write instead."""

from __future__ import annotations


class NbstateError(Exception):
    """Base class of every error nbstate raises on purpose."""


class StateDefinitionError(NbstateError, TypeError):
    """A State class cannot work as written; raised when the class is defined."""


class VarTypeError(NbstateError, TypeError):
    """A value assigned to a var does not match the var's annotation."""


class ImmutableStateError(NbstateError):
    """A background task changed state outside ``async with self:``."""


class StateLockedError(NbstateError):
    """A write needs a state's lock, and another handler or task holds it."""


class NestedBlockError(NbstateError, RuntimeError):
    """``async with`` was entered on a state whose lock this task already holds."""


class DeadlockError(NbstateError, RuntimeError):
    """Waiting for a state's lock would wait forever: its holder waits for a lock held here."""


class BackgroundCallError(NbstateError, TypeError):
    """A background task was called directly instead of being yielded, returned or started."""


class CoercionError(NbstateError, ValueError):
    """A value could not be converted to the type a var or handler argument declares."""


class EventRejected(NbstateError, ValueError):
    """An event was refused before any code ran (unknown handler, bad arguments, bad message)."""


class StateClosedError(NbstateError, RuntimeError):
    """The state instance was closed (``nbstate.close``, or its class was redefined)."""


class WrongThreadError(NbstateError, RuntimeError):
    """State was touched from a thread other than the kernel's main loop thread."""


class CommitRefusedError(NbstateError, RuntimeError):
    """The store refused a commit (a shared state's lease was lost); the step rolled back."""


class OffloadError(NbstateError, RuntimeError):
    """Work could not be offloaded to Dask: a State would leave the kernel, the value cannot be
    sent, or no scheduler answered. The message says what to pass or set instead."""


class SharedStateError(NbstateError, RuntimeError):
    """A shared state cannot reach its Redis server, or is not set up to (no URL, a value that
    cannot be pickled or unpickled, Redis lost commits)."""
