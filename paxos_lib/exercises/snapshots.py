"""Lesson 08, exercise 1: the snapshot-install rule, checked against a table of scenarios.

``check_snapshot_install`` asks of ``install_snapshot(replica, snapshot) -> replica`` what a
replica does with a snapshot a peer sent it (state transfer).  A replica is a dict:
``applied`` (how many slots, from slot 0, it has applied), ``log`` (``{slot: command}`` for
the chosen slots it holds, applied or not), ``orders`` (``{order id: status}``) and
``clients`` (the client table of lesson 07's exercise 3: ``{client: (request, reply)}``).  A
snapshot is a dict: ``slot`` (every slot below it is applied in it), ``orders`` and
``clients`` as they were after those slots.

The rule (``paxos_lib.multipaxos.snapshots.install`` does the same on the engine): a snapshot
that is not ahead of the replica changes nothing (going back would apply slots a second
time); otherwise the replica takes the snapshot's order states *and* its client table (without
the table a retried request inside the snapshot would run again), has applied every slot below
the snapshot's, and keeps the log entries it holds from that slot on (they are chosen; the
ones below are covered by the snapshot).

The check never raises because of the learner's code.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from paxos_lib.exercises.feedback import Feedback, need_function, run_scenarios
from paxos_lib.exercises.hidden import hidden_cases

__all__ = ["check_snapshot_install"]

_CREATE = "create #42 (c42/1)"
_CONFIRM = "confirm #42 (c42/2)"
_PAY = "pay #42 (c42/3)"
_SHIP = "ship #42 (c42/4)"
_DELIVER = "deliver #42 (c42/5)"
_CREATE7 = "create #7 (c7/1)"

_KEYS = ("applied", "log", "orders", "clients")


def _replica(applied: int, log: dict[int, str], orders: dict[int, str],
             clients: dict[str, tuple[int, str]]) -> dict[str, Any]:
    return {"applied": applied, "log": log, "orders": orders, "clients": clients}


def _snapshot(slot: int, orders: dict[int, str],
              clients: dict[str, tuple[int, str]]) -> dict[str, Any]:
    return {"slot": slot, "orders": orders, "clients": clients}


#: (what the scene is, the replica, the snapshot it receives)
SCENES: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
    ("a warehouse replica back after a week, holding nothing",
     _replica(0, {}, {}, {}),
     _snapshot(3, {42: "PAID"}, {"c42": (3, "PAID")})),
    ("a replica that applied 2 slots and holds slots 5 and 6 past a gap",
     _replica(2, {0: _CREATE, 1: _CONFIRM, 5: _DELIVER, 6: _CREATE7}, {42: "CONFIRMED"},
              {"c42": (2, "CONFIRMED")}),
     _snapshot(5, {42: "SHIPPED"}, {"c42": (4, "SHIPPED")})),
    ("a replica that applied 1 slot and holds slot 3, the snapshot's own slot",
     _replica(1, {0: _CREATE, 3: _PAY}, {42: "PENDING"}, {"c42": (1, "PENDING")}),
     _snapshot(3, {42: "CONFIRMED", 7: "PENDING"},
               {"c42": (2, "CONFIRMED"), "c7": (1, "PENDING")})),
    ("a replica that already applied 6 slots, sent a snapshot up to slot 4",
     _replica(6, {4: _SHIP, 5: _DELIVER}, {42: "DELIVERED"}, {"c42": (5, "DELIVERED")}),
     _snapshot(4, {42: "PAID"}, {"c42": (3, "PAID")})),
    ("a replica that applied 4 slots, sent a snapshot up to slot 4",
     _replica(4, {3: _PAY, 4: _SHIP}, {42: "PAID"}, {"c42": (3, "PAID")}),
     _snapshot(4, {42: "PAID"}, {"c42": (3, "PAID")})),
)


def _slots(slots: list[int]) -> str:
    return ", ".join(str(s) for s in slots)


def _judge(scene: str, replica: dict[str, Any],
           snap: dict[str, Any]) -> Callable[[Any], str | None]:
    s = snap["slot"]

    def judge(result: Any) -> str | None:
        if not isinstance(result, dict) or set(result) != set(_KEYS):
            return (f"for {scene} it returned {result!r}; return the replica as a dict with "
                    "the keys applied, log, orders and clients")
        if s <= replica["applied"]:
            if result["applied"] < replica["applied"]:
                twice = _slots(list(range(result["applied"], replica["applied"])))
                return (f"for {scene}, your replica went back from slot {replica['applied']} "
                        f"to slot {result['applied']}: it would apply slot(s) {twice} a second "
                        "time (a second payment, a second parcel)")
            if result != replica:
                return (f"for {scene}, the snapshot brings nothing the replica lacks, yet your "
                        "replica changed")
            return None
        if result["applied"] != s:
            return (f"for {scene}, after a snapshot up to slot {s} every slot below {s} is "
                    f"applied, but your replica says {result['applied']!r}")
        if result["orders"] != snap["orders"]:
            return (f"for {scene}, your replica holds the order states {result['orders']!r}, "
                    f"not the snapshot's {snap['orders']!r}")
        if result["clients"] != snap["clients"]:
            client, (request, _) = next(iter(snap["clients"].items()))
            return (f"for {scene}, your replica's client table is {result['clients']!r}, not "
                    f"the snapshot's: a retry of {client}'s request {request}, applied inside "
                    "the snapshot, would run again")
        log = result["log"]
        if not isinstance(log, dict):
            return f"for {scene}, the log should be a dict {{slot: command}}, got {log!r}"
        dropped = sorted(t for t in replica["log"] if t >= s and t not in log)
        if dropped:
            return (f"for {scene}, you dropped the log entries for slot(s) {_slots(dropped)}, "
                    f"at or after the snapshot's slot {s}: they are chosen, so the replica "
                    "would have to fetch them again before it can go on")
        kept = sorted(t for t in log if t < s)
        if kept:
            return (f"for {scene}, your replica still holds slot(s) {_slots(kept)}, below the "
                    f"snapshot's slot {s}: the snapshot covers them, and not holding them is "
                    "the point of compaction")
        wrong = sorted(t for t in log if log[t] != replica["log"].get(t))
        if wrong:
            return (f"for {scene}, your replica's log holds slot(s) {_slots(wrong)} that it "
                    "did not hold before with that command")
        return None

    return judge


def check_snapshot_install(fn: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
                           ) -> Feedback:
    """Check ``fn(replica, snapshot) -> replica``: the snapshot-install rule."""
    fn = need_function(fn, "check_snapshot_install")
    return _check_install(fn, SCENES)


def _check_install(fn: Callable[..., Any],
                   scenes: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...]) -> Feedback:
    """check_snapshot_install's judge over ``scenes`` (the visible table, or the hidden one)."""
    scenarios = []
    for scene, replica, snap in scenes:
        judge = _judge(scene, replica, snap)
        scenarios.append(((copy.deepcopy(replica), copy.deepcopy(snap)), judge))
    return run_scenarios("install_snapshot", scenarios, fn)


_CANCEL9 = "cancel #9 (c9/2)"
_CREATE9 = "create #9 (c9/1)"

#: Hidden scenes of check_snapshot_install (graded, never shown by the check; see
#: ``hidden.py``): a snapshot far ahead of every entry the replica holds, one just one slot
#: ahead, a snapshot with more clients than the replica knows, a stale one sent to a replica
#: that holds a log, and one up to slot 1 for an empty replica.
HIDDEN_SCENES: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
    ("a replica that applied 2 slots and holds slots 2 to 4, sent a snapshot up to slot 9",
     _replica(2, {2: _PAY, 3: _SHIP, 4: _DELIVER}, {42: "CONFIRMED"},
              {"c42": (2, "CONFIRMED")}),
     _snapshot(9, {42: "DELIVERED", 7: "PENDING", 9: "CANCELLED"},
               {"c42": (5, "DELIVERED"), "c7": (1, "PENDING"), "c9": (2, "CANCELLED")})),
    ("a replica that applied 3 slots and holds slots 3 and 4, sent a snapshot up to slot 4",
     _replica(3, {0: _CREATE, 3: _PAY, 4: _SHIP}, {42: "CONFIRMED"},
              {"c42": (2, "CONFIRMED")}),
     _snapshot(4, {42: "PAID"}, {"c42": (3, "PAID")})),
    ("a replica that knows client c7 only, sent a snapshot with clients c7 and c9",
     _replica(1, {1: _CREATE9, 2: _CANCEL9, 6: _PAY}, {7: "PENDING"}, {"c7": (1, "PENDING")}),
     _snapshot(3, {7: "PENDING", 9: "CANCELLED"},
               {"c7": (1, "PENDING"), "c9": (2, "CANCELLED")})),
    ("a replica that applied 9 slots and holds slots 7 to 10, sent a snapshot up to slot 3",
     _replica(9, {7: _PAY, 8: _SHIP, 9: _DELIVER, 10: _CREATE7},
              {42: "SHIPPED", 7: "PENDING"}, {"c42": (4, "SHIPPED"), "c7": (1, "PENDING")}),
     _snapshot(3, {42: "CONFIRMED"}, {"c42": (2, "CONFIRMED")})),
    ("a new replica holding nothing, sent a snapshot up to slot 1",
     _replica(0, {}, {}, {}),
     _snapshot(1, {7: "PENDING"}, {"c7": (1, "PENDING")})),
)


@hidden_cases(check_snapshot_install)
def _hidden_snapshot_install(fn: Callable[..., Any]) -> Feedback:
    return _check_install(fn, HIDDEN_SCENES)
