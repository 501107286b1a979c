"""Learner classes that do not subclass the course's ``Learner``, run as if they did.

Theory of operation
-------------------
The engine knows a node is a learner by its state's class: it records every value a learner
learns in the world's ``learned_log`` only for states that are ``paxos_lib.roles.Learner``
instances, and the properties (``learners``, ``learned-stable``) read learners the same way.
A student's learner written from scratch (a frozen dataclass with ``node`` and ``learned``
fields and the two handlers, say) would run, but no property would see what it learned.

``adapt_learner(cls)`` wraps such a class in a subclass of ``px.grading.Learner`` whose state
holds the student's own state object (``inner``) and mirrors its ``learned`` field: every
handler call goes to the student's object, its result is checked like any handler's (the
interface guard wraps the adapter's handlers, so exceptions, endless loops and bad effects
are reported with the student's class and line), and the adapter's ``learned`` becomes the
student's.  So the engine logs each value the student's learner learns, ``learned-stable``
catches one that changes its mind, and a counterexample replays with the student's code.
The adapter's class is named after the student's, so feedback names the class they wrote.

This module imports only the values, roles and the interface; never networkx, matplotlib or
ipywidgets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from paxos_lib.errors import ConfigError
from paxos_lib.grading.interface import HANDLERS, Learner, StudentCodeError
from paxos_lib.messages import Accepted, Decided
from paxos_lib.variants import Rules

__all__ = ["adapt_learner"]


def _inner_step(self: Any, handler: str, msg: Accepted | Decided, rules: Rules) -> Any:
    inner = self.inner
    result = getattr(inner, handler)(msg, rules)
    name = type(inner).__name__
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise StudentCodeError(name, handler, f"handling {msg}",
                               f"returned {result!r}; a handler returns a pair "
                               "(new_state, effects), such as (self, ()) to change nothing")
    new, effects = result
    return _mirror(self, new, handler, f"handling {msg}"), effects


def _mirror(self: Any, new: Any, handler: str, handling: str) -> Any:
    name = type(self.inner).__name__
    if type(new) is not type(self.inner):
        raise StudentCodeError(name, handler, handling,
                               f"returned a {type(new).__name__} as the new state; return a "
                               f"{name}, such as self or dataclasses.replace(self, ...)")
    try:
        hash(new)
    except TypeError as exc:
        raise StudentCodeError(name, handler, handling,
                               f"the new state cannot be hashed ({exc}); keep state in tuples "
                               "and frozensets") from None
    learned = getattr(new, "learned", None)
    if learned is not None and not isinstance(learned, str):
        raise StudentCodeError(name, handler, handling,
                               f"learned {learned!r}; a learner learns a value (text) or None")
    return replace(self, inner=new, learned=learned)


def adapt_learner(cls: type) -> type:
    """A ``px.grading.Learner`` subclass that runs ``cls``'s handlers (module docstring).

    ``cls(node=...)`` must build the student's first state; it needs ``on_accepted`` and
    ``on_decided`` and may have ``after_crash(rules)`` (else a restart starts afresh)."""
    if not isinstance(cls, type):
        raise ConfigError(f"learner must be a class, got {cls!r}")
    missing = [h for h in HANDLERS["learner"] if not callable(getattr(cls, h, None))]
    if missing:
        raise ConfigError(
            f"learner {cls.__name__} has no {' or '.join(missing)}; a learner class "
            f"subclasses px.grading.Learner, or defines {', '.join(HANDLERS['learner'])}"
        )

    def __post_init__(self: Any) -> None:
        Learner.__post_init__(self)  # type: ignore[attr-defined]
        if self.inner is None:
            try:
                inner = cls(node=self.node)
            except Exception as exc:  # the student's constructor may raise anything
                raise StudentCodeError(cls.__name__, "__init__", f"building node {self.node}",
                                       f"raised {type(exc).__name__}: {exc}") from None
            object.__setattr__(self, "inner", inner)
            object.__setattr__(self, "learned", getattr(inner, "learned", None))

    def on_accepted(self: Any, msg: Accepted, rules: Rules) -> Any:
        return _inner_step(self, "on_accepted", msg, rules)

    def on_decided(self: Any, msg: Decided, rules: Rules) -> Any:
        return _inner_step(self, "on_decided", msg, rules)

    def after_crash(self: Any, rules: Rules) -> Any:
        crash = getattr(self.inner, "after_crash", None)
        if crash is None:
            return type(self)(node=self.node)
        return _mirror(self, crash(rules), "after_crash", "after a crash")

    namespace = {
        "__annotations__": {"inner": Any},
        "inner": None,
        "__post_init__": __post_init__,
        "on_accepted": on_accepted,
        "on_decided": on_decided,
        "after_crash": after_crash,
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": f"{cls.__name__}, run as a px.grading.Learner (paxos_lib.grading.adapter).",
    }
    adapted = type(cls.__name__, (Learner,), namespace)
    return dataclass(frozen=True, slots=True, kw_only=True)(adapted)
