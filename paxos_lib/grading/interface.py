"""The role interface a student implements, and the guard around every handler.

Theory of operation
-------------------
A student writes three classes, one per role, each a subclass of ``Acceptor``, ``Proposer``
or ``Learner`` from this module.  The state fields are given (the same fields as the
library's own roles, so the engine, the properties and the views read them unchanged); the
student writes the handlers, which take a message (or a client's value, or a timeout) plus
the ``Rules`` in force and return ``(new_state, effects)``:

=============  =====================================================================
role           handlers to write
=============  =====================================================================
Acceptor       ``on_prepare(msg, rules)``, ``on_accept(msg, rules)``
Proposer       ``on_propose(value, rules)``, ``on_promise(msg, rules)``,
               ``on_accepted(msg, rules)``, ``on_nack(msg, rules)``,
               ``on_timeout(rules)``
Learner        ``on_accepted(msg, rules)``, ``on_decided(msg, rules)``
=============  =====================================================================

Each base class subclasses the library's role of the same name, so the one engine, the
explorer and the properties drive a student's classes exactly as they drive the reference
(``isinstance(state, paxos_lib.roles.Proposer)`` holds).  The base classes replace every
handler above, and the reference's private helpers, with one that says it is not written
yet, so the reference's code is not inherited by accident.  ``after_crash`` keeps the
``DURABLE`` fields; a student may override it too.

The guard.  ``__init_subclass__`` wraps every handler a student class defines.  A wrapped
handler turns anything that goes wrong into a ``StudentCodeError`` that names the role, the
handler, what it was handling, the exception and the student's line: an exception raised
inside it, or a return value that breaks the interface (not a pair; a state of another
class, of another node, or not hashable; an effect that is not ``Send``/``SetTimer``/
``CancelTimer``; a message sent in another node's name or to a node that does not exist; a
proposer whose ballots run above its ``round``, which the explorer's ballot bound reads).
The grader turns a ``StudentCodeError`` into feedback, never a traceback.

A handler that never returns.  While a student's handler runs, the guard counts the lines
executed in the student's own code (frames whose file is not part of ``paxos_lib``), with a
trace function (``sys.settrace``), and stops the handler once it has run ``LINE_BUDGET`` lines
in one call: a ``StudentCodeError`` saying that it never returned and on which line it was
looping.  Why a line budget and not a worker process or a thread with a timeout: the
student's classes live in the notebook's ``__main__`` and need not pickle (a process would
need them to), a thread cannot be stopped in Python, and Pyodide (the browser edition) has
neither; a trace function works the same in Jupyter, under ``nbgrader autograde`` and on
Pyodide, and a budget counted in lines gives the same verdict on a fast machine and a slow
one, so a grade does not depend on the load.  The reference's handlers run a few dozen lines
per call; the budget is thousands of times that.  NOTE: a loop that never runs a line of
Python (``sum(itertools.count())``, all in C) is not counted and is stopped only by the
kernel's interrupt or nbgrader's execution timeout; a student's ``except BaseException``
inside the loop swallows the stop once (Python then removes the trace function).

This module imports only the values, roles and variants; never networkx, matplotlib or
ipywidgets.
"""

from __future__ import annotations

import functools
import linecache
import sys
import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from paxos_lib import roles
from paxos_lib.errors import PaxosError
from paxos_lib.messages import CancelTimer, Message, Send, SetTimer
from paxos_lib.variants import Rules

__all__ = ["HANDLERS", "LINE_BUDGET", "Acceptor", "Learner", "Proposer", "StudentCodeError"]

#: The most lines of the student's own code one handler call may run before the guard stops
#: it as a handler that never returns (see the module docstring).
LINE_BUDGET = 200_000

#: The handlers a student writes, per role (``after_crash`` may be overridden too).
HANDLERS: dict[str, tuple[str, ...]] = {
    "acceptor": ("on_prepare", "on_accept"),
    "proposer": ("on_propose", "on_promise", "on_accepted", "on_nack", "on_timeout"),
    "learner": ("on_accepted", "on_decided"),
}
_GUARDED = ("after_crash",)
#: The reference's private helpers, hidden from student classes.
_HIDDEN = ("_start_ballot", "_pick_value")


class StudentCodeError(PaxosError):
    """A student's handler raised, or returned something the interface does not allow.

    ``role``, ``handler`` and ``handling`` (the message, value or event it was given) say
    where; ``problem`` says what, in one sentence.
    """

    def __init__(self, role: str, handler: str, handling: str, problem: str) -> None:
        self.role = role
        self.handler = handler
        self.handling = handling
        self.problem = problem
        super().__init__(f"{role}.{handler} ({handling}): {problem}")


def _student_line(tb: Any) -> str:
    """' at line N: code' for the innermost frame outside paxos_lib, or ''."""
    frames = [f for f in traceback.extract_tb(tb) if "paxos_lib" not in f.filename.replace(
        "\\", "/").split("/")]
    if not frames:
        return ""
    f = frames[-1]
    code = f" `{f.line.strip()}`" if f.line else ""
    return f" (line {f.lineno}{code})"


def _describe_arg(args: tuple[Any, ...]) -> str:
    if args and isinstance(args[0], Message):
        return f"handling {args[0]}"
    if args and isinstance(args[0], str):
        return f"asked to propose {args[0]!r}"
    return "on its timer" if args else "after a crash"


def _check_result(self: roles.NodeState, cls_name: str, handler: str, result: object,
                  rules: Rules | None, crash: bool) -> tuple[Any, tuple[Any, ...]]:
    """The result normalised to ``(state, effects)``; else the sentence saying why not."""
    if crash:
        new, effects = result, ()
    else:
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise ValueError(
                f"returned {result!r}; a handler returns a pair (new_state, effects), "
                "such as (self, ()) to change nothing"
            )
        new, effects = result
    if type(new) is not type(self):
        raise ValueError(
            f"returned a {type(new).__name__} as the new state; return a {cls_name}, "
            "such as self or dataclasses.replace(self, ...)"
        )
    if new.node != self.node:
        raise ValueError(f"the new state belongs to node {new.node!r}, not {self.node!r}")
    try:
        hash(new)
    except TypeError as exc:
        raise ValueError(
            f"the new state cannot be hashed ({exc}); keep state in tuples and frozensets, "
            "never lists, sets or dicts"
        ) from None
    if isinstance(effects, Send | SetTimer | CancelTimer | Message):
        raise ValueError(
            f"returned the effects {effects!r} on their own; return a tuple of them, "
            "such as (Send(msg),)"
        )
    try:
        out = tuple(effects)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(
            f"returned the effects {effects!r}; effects are a tuple such as (Send(msg),)"
        ) from None
    nodes = () if rules is None else (*rules.proposers, *rules.acceptors, *rules.learners)
    for e in out:
        if isinstance(e, Message):
            raise ValueError(f"returned the message {e} as an effect; wrap it: Send({e.KIND}...)")
        if not isinstance(e, Send | SetTimer | CancelTimer):
            raise ValueError(
                f"returned {e!r} as an effect; effects are Send(message), SetTimer(node) "
                "and CancelTimer(node)"
            )
        if isinstance(e, Send):
            m = e.message
            if not isinstance(m, Message):
                raise ValueError(f"sent {m!r}, which is not a message")
            if m.src != self.node:
                raise ValueError(f"sent {m} in the name of {m.src}; a node sends as itself "
                                 f"(src={self.node!r})")
            if nodes and m.dst not in nodes:
                raise ValueError(f"sent {m} to {m.dst!r}, which is not a node of this "
                                 f"cluster ({', '.join(nodes)})")
            round_ = getattr(new, "round", None)
            if isinstance(new, roles.Proposer) and round_ is not None and \
                    m.ballot.round > round_:
                raise ValueError(
                    f"sent {m} at round {m.ballot.round} while its round field says "
                    f"{round_}; keep round as the highest round used (it is durable, "
                    "and the explorer's ballot bound reads it)"
                )
        elif e.node != self.node:
            raise ValueError(f"set or cancelled the timer of {e.node!r}; a node has only "
                             f"its own timer ({self.node!r})")
    return new, out


_LIBRARY = __file__.replace("\\", "/").rsplit("/paxos_lib/", 1)[0] + "/paxos_lib/"


class _Runaway(BaseException):
    """Raised inside a student's handler that ran out of its line budget.  A BaseException,
    so that a student's ``except Exception`` inside the loop does not swallow it."""

    def __init__(self, lineno: int, filename: str) -> None:
        super().__init__(lineno, filename)
        self.lineno = lineno
        self.filename = filename


#: Where Python's own modules and installed packages live: not the student's code.
_NOT_STUDENT = tuple(sorted({
    path.replace("\\", "/").rstrip("/") + "/"
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (path := sysconfig.get_paths().get(key))
} | {_LIBRARY}))


@functools.lru_cache(maxsize=4096)
def _is_student_code(filename: str) -> bool:
    name = filename.replace("\\", "/")
    return not (name.startswith(_NOT_STUDENT) or name.startswith("<frozen")
                or "/paxos_lib/" in name)


def _run_with_budget(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, stopped with ``_Runaway`` after ``LINE_BUDGET`` lines of student code."""
    left = LINE_BUDGET
    previous = sys.gettrace()

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal left
        if event == "line":
            left -= 1
            if left < 0:
                raise _Runaway(frame.f_lineno, frame.f_code.co_filename)
        return local

    def on_call(frame: Any, event: str, arg: Any) -> Any:
        return local if _is_student_code(frame.f_code.co_filename) else None

    sys.settrace(on_call)
    try:
        return fn(*args)
    finally:
        sys.settrace(previous)


def _runaway_problem(exc: _Runaway) -> str:
    code = linecache.getline(exc.filename, exc.lineno).strip()
    where = f" (line {exc.lineno}{f' `{code}`' if code else ''})"
    return (f"never returned: it ran {LINE_BUDGET:,} lines of your code in this one call "
            f"and was still going{where}; is there a loop whose condition never changes?")


def _guard(role: str, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    crash = name == "after_crash"

    @functools.wraps(fn)
    def guarded(self: Any, *args: Any) -> Any:
        cls_name = type(self).__name__
        handling = ("on its timer" if name == "on_timeout" else "after a crash" if crash
                    else _describe_arg(args[:-1]))
        try:
            result = _run_with_budget(fn, self, *args)
        except StudentCodeError:
            raise
        except _Runaway as exc:
            raise StudentCodeError(cls_name, name, handling, _runaway_problem(exc)) from None
        except Exception as exc:  # the student's code may raise anything
            detail = str(exc) or "(no message)"
            raise StudentCodeError(
                cls_name, name, handling,
                f"raised {type(exc).__name__}: {detail}{_student_line(exc.__traceback__)}",
            ) from None
        rules = args[-1] if args and isinstance(args[-1], Rules) else None
        try:
            new, effects = _check_result(self, cls_name, name, result, rules, crash)
        except ValueError as exc:
            raise StudentCodeError(cls_name, name, handling, str(exc)) from None
        return new if crash else (new, effects)

    guarded.__guarded__ = True  # type: ignore[attr-defined]
    return guarded


def _not_written(role: str, name: str) -> Callable[..., Any]:
    def handler(self: Any, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.{name} is not written yet")

    handler.__name__ = name
    handler.__doc__ = f"Write this handler in your {role} class."
    return handler


def _hidden(name: str) -> Callable[..., Any]:
    def helper(self: Any, *args: Any) -> Any:
        raise NotImplementedError(
            f"{name} is a helper of the library's reference proposer; write your own"
        )

    helper.__name__ = name
    return helper


class _Student:
    """What the three base classes share: guarding the handlers a subclass defines."""

    ROLE: ClassVar[str]
    DURABLE: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        role = cls.ROLE
        if "on_message" in cls.__dict__:
            raise PaxosError(
                f"{cls.__name__} defines on_message; write the handlers "
                f"{', '.join(HANDLERS[role])} instead (the engine's on_message calls them)"
            )
        for name in (*HANDLERS[role], *_GUARDED):
            fn = cls.__dict__.get(name)
            if callable(fn) and not getattr(fn, "__guarded__", False):
                setattr(cls, name, _guard(role, name, fn))

    def after_crash(self, rules: Rules) -> Any:
        """What survives a crash: the ``DURABLE`` fields; everything else starts afresh."""
        return type(self)(node=self.node, **{f: getattr(self, f) for f in self.DURABLE})  # type: ignore[attr-defined]


def _base(role: str, reference: type) -> type:
    namespace: dict[str, Any] = {name: _not_written(role, name) for name in HANDLERS[role]}
    namespace["__doc__"] = (
        f"Subclass this and write {', '.join(HANDLERS[role])}: each returns "
        f"(new_state, effects).  State fields as in paxos_lib.roles.{reference.__name__}."
    )
    namespace["__module__"] = __name__
    namespace["__qualname__"] = reference.__name__
    if role == "proposer":
        namespace.update({name: _hidden(name) for name in _HIDDEN})
    # _Student comes first, so its after_crash (keep the DURABLE fields, in this class)
    # wins over the reference's, which would return a reference object.
    return type(reference.__name__, (_Student, reference), namespace)


Acceptor: type[roles.Acceptor] = _base("acceptor", roles.Acceptor)
Proposer: type[roles.Proposer] = _base("proposer", roles.Proposer)
Learner: type[roles.Learner] = _base("learner", roles.Learner)


@dataclass(frozen=True, slots=True)
class Implementation:
    """The classes that play each role (a student's, or the library's reference)."""

    acceptor: type = roles.Acceptor
    proposer: type = roles.Proposer
    learner: type = roles.Learner

    def make(self, node: str, role: str) -> roles.NodeState:
        cls = {"acceptor": self.acceptor, "proposer": self.proposer,
               "learner": self.learner}[role]
        return cls(node=node)  # type: ignore[no-any-return]
