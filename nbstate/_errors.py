"""Exceptions raised by nbstate. Each message says what went wrong and what to write instead."""

from __future__ import annotations


class NbstateError(Exception):
    """Base class of every error nbstate raises on purpose."""


class StateDefinitionError(NbstateError, TypeError):
    """A State class cannot work as written; raised when the class is defined."""


class ImmutableStateError(NbstateError):
    """A background task changed state outside ``async with self:``."""


class StateLockedError(NbstateError):
    """A cell tried to change state while a handler or task holds the state's lock."""


class NestedBlockError(NbstateError, RuntimeError):
    """``async with self:`` was entered while this task already holds the lock."""


class BackgroundCallError(NbstateError, TypeError):
    """A background task was called directly instead of being yielded, returned or started."""


class CoercionError(NbstateError, ValueError):
    """A value could not be converted to the type a var or handler argument declares."""


class EventRejected(NbstateError, ValueError):
    """An event was refused before any code ran (unknown handler, bad arguments, bad message)."""


class StateClosedError(NbstateError, RuntimeError):
    """The state instance was closed with ``nbstate.close``."""


class WrongThreadError(NbstateError, RuntimeError):
    """State was touched from a thread other than the kernel's main loop thread."""
