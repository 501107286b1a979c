"""Symmetry of the message-level engine: renaming acceptors, learners and values.

Theory of operation
-------------------
Nothing in Paxos looks at an acceptor's name: rename ``a1`` and ``a2`` everywhere in a world
(their states, every message to or from them, the votes they cast, the crashed set, the
(learner, value) pairs of ``learned_log``) and the
renamed world can do exactly what the original can, renamed.  The same holds for learners,
and for client values when every proposer may be asked for every value.  A *renaming* ``g``
maps each node id and each value to another; it must be an *automorphism* of the model:
``apply(g(world), g(action)) == g(apply(world, action))`` for every enabled action, and
every property must read the same in ``world`` and ``g(world)``.  ``tests/test_symmetry.py``
checks that equation against the real engine on random runs.

The explorer then keeps one representative per *symmetry class* (the set of worlds renaming
maps onto each other), which shrinks the space by up to the size of the group: 3 acceptors
and 2 values give 3! x 2 = 12 renamings.

When renaming is *not* an automorphism, and so is left out of the group:

1. ``duplicate-ballots``: two proposers share ballot ``1.p``, so two promises can report
   different values at one ballot, and the proposer breaks that tie by acceptor id (the
   lowest wins).  Renaming acceptors changes which value wins.  Values stay interchangeable.
2. ``partitions=True``: the partitions offered cut a proposer off with the *first*
   acceptors (``a1``...), which renaming does not preserve; likewise a start world that is
   already partitioned.  Values stay interchangeable.
3. Clients that hand each proposer its own value (``{"p1": "v1", "p2": "v2"}``): renaming
   values would need renaming proposers too, and proposers are not interchangeable (their
   ids order their ballots).  Acceptors stay interchangeable.
4. Flexible Paxos with explicit quorum sets (``Cluster(phase1_quorum=[["a1", "a2"], ...])``):
   a renaming must map each quorum system onto itself, or a world where ``a1, a2`` hold a
   quorum of promises would be merged with one where ``a1, a3`` (not a quorum) do.  Only
   acceptors whose swap preserves both systems stay interchangeable
   (``paxos_lib.quorums.swap_classes``); quorum sizes keep them all interchangeable.

Canonical keys.  The explorer keys each world by small ints (a code per distinct node state
and message, see ``paxos_lib.explore``).  ``Symmetry.key`` renames those codes under every
``g`` (each object is renamed once per ``g`` and the answer cached), puts every part in a
renaming-independent order (node positions permuted, message codes sorted, sets as
bitmasks) and keeps the smallest tuple.  Equal keys mean the same class; the cost is one
pass per renaming over the node and message codes, so it grows with the group: fine for
the 3 to 5 acceptors of a course, not for 9.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from itertools import permutations, product
from typing import Any

from paxos_lib.actions import Action, Crash, Deliver, Drop, Duplicate, Partition, Propose, Recover
from paxos_lib.engine import World, _sort_key
from paxos_lib.errors import ConfigError
from paxos_lib.quorums import swap_classes

__all__ = ["Renaming", "Symmetry"]

#: Fields holding a node id, a client value, or neither (kept as they are).
NODE_FIELDS = frozenset({"node", "src", "dst"})
VALUE_FIELDS = frozenset({"value", "accepted_value", "proposal", "learned"})
KEPT_FIELDS = frozenset({"round", "phase", "ballot", "promised", "accepted_ballot"})
#: Per-acceptor collections: ``promises`` and ``votes`` hold (acceptor, ballot, value)
#: triples, ``accepts`` acceptor ids; the roles keep the tuples sorted by acceptor id.
TRIPLE_TUPLE_FIELDS = frozenset({"promises"})
ID_TUPLE_FIELDS = frozenset({"accepts"})
TRIPLE_SET_FIELDS = frozenset({"votes"})


@dataclass(frozen=True)
class Renaming:
    """One element of the group: where each node id and each value goes."""

    nodes: Mapping[str, str]
    values: Mapping[str, str]

    def node(self, node_id: str) -> str:
        return self.nodes.get(node_id, node_id)

    def value(self, value: str | None) -> str | None:
        return None if value is None else self.values.get(value, value)

    def triple(self, t: tuple[Any, Any, Any]) -> tuple[Any, Any, Any]:
        a, b, v = t
        return (self.node(a), b, self.value(v))

    def rename(self, obj: Any) -> Any:
        """``obj`` (a node state, a message or a vote triple) with every name renamed."""
        if isinstance(obj, tuple):
            return self.triple(obj)
        if not is_dataclass(obj):
            raise TypeError(f"cannot rename {obj!r}")
        changes: dict[str, Any] = {}
        for f in fields(obj):
            if not f.init:
                continue  # derived (a message's cached sort key), recomputed by replace
            name = f.name
            old = getattr(obj, name)
            if name in NODE_FIELDS:
                new = self.node(old)
            elif name in VALUE_FIELDS:
                new = self.value(old)
            elif name in KEPT_FIELDS:
                continue
            elif name in TRIPLE_TUPLE_FIELDS:
                new = tuple(sorted((self.triple(t) for t in old), key=lambda t: t[0]))
            elif name in ID_TUPLE_FIELDS:
                new = tuple(sorted(self.node(a) for a in old))
            elif name in TRIPLE_SET_FIELDS:
                new = frozenset(self.triple(t) for t in old)
            else:
                raise TypeError(f"{type(obj).__name__}.{name}: no renaming rule for this field")
            if new != old:
                changes[name] = new
        return replace(obj, **changes) if changes else obj  # type: ignore[type-var]

    def action(self, action: Action) -> Action:
        """``action`` renamed: its message, node or value."""
        if isinstance(action, Deliver | Drop | Duplicate):
            return type(action)(self.rename(action.message))
        if isinstance(action, Propose):
            return Propose(action.proposer, self.value(action.value))  # type: ignore[arg-type]
        if isinstance(action, Crash | Recover):
            return type(action)(self.node(action.node))
        if isinstance(action, Partition):
            return Partition(tuple(tuple(self.node(n) for n in g) for g in action.groups))
        return action  # Timeout (proposers are never renamed) and Heal

    def world(self, world: World) -> World:
        """The whole world renamed: node states moved to their new positions, messages
        renamed and sorted again, votes, crashed nodes, proposed values and the learned log
        (learner, value) renamed."""
        cluster = world.config.cluster
        nodes = [None] * len(world.nodes)
        for node_id, state in zip(cluster.node_ids, world.nodes, strict=True):
            nodes[cluster.index(self.node(node_id))] = self.rename(state)
        return replace(
            world,
            nodes=tuple(nodes),  # type: ignore[arg-type]
            inflight=tuple(sorted((self.rename(m) for m in world.inflight), key=_sort_key)),
            crashed=frozenset(self.node(n) for n in world.crashed),
            timers=frozenset(self.node(n) for n in world.timers),
            votes=frozenset(self.triple(t) for t in world.votes),
            proposed=frozenset(self.value(v) for v in world.proposed),  # type: ignore[misc]
            learned_log=frozenset(  # type: ignore[misc]
                (self.node(n), self.value(v)) for n, v in world.learned_log
            ),
        )


#: Per renaming: which old node position lands on each new one, the bit of each node id and
#: value after renaming, and a cache from an object's code to its renamed object's code.
_Plan = tuple[tuple[int, ...], dict[str, int], dict[str, int], dict[int, int]]


class Symmetry:
    """The renamings of one explorer model, and canonical keys of its worlds.

    ``Symmetry.of(...)`` builds the group the model allows (see the module docstring) or
    raises ConfigError saying why nothing is interchangeable.  ``interchangeable`` says in
    words what the group renames.
    """

    def __init__(
        self,
        node_ids: tuple[str, ...],
        node_groups: Iterable[tuple[str, ...]],
        value_group: tuple[str, ...],
        values: tuple[str, ...],
    ) -> None:
        node_groups = tuple(node_groups)
        self.node_ids = node_ids
        position = {n: i for i, n in enumerate(node_ids)}
        node_maps: list[dict[str, str]] = [{}]
        for group in node_groups:
            node_maps = [
                {**m, **dict(zip(group, perm, strict=True))}
                for m in node_maps
                for perm in permutations(group)
            ]
        value_maps = [  # permutations(()) is the one empty renaming
            dict(zip(value_group, perm, strict=True)) for perm in permutations(value_group)
        ]
        self.renamings = tuple(
            Renaming(nodes=n, values=v) for n, v in product(node_maps, value_maps)
        )
        self.node_groups = tuple(g for g in node_groups if len(g) > 1)
        self.value_group = value_group
        self._plans: list[_Plan] = []
        value_bit = {v: 1 << i for i, v in enumerate(values)}
        for g in self.renamings:
            source = [0] * len(node_ids)
            for n in node_ids:
                source[position[g.node(n)]] = position[n]
            nodes_bits = {n: 1 << position[g.node(n)] for n in node_ids}
            values_bits = {v: value_bit[g.values.get(v, v)] for v in values}
            self._plans.append((tuple(source), nodes_bits, values_bits, {}))

    @classmethod
    def of(
        cls,
        cluster: Any,
        *,
        unique_ballots: bool,
        partitions: bool,
        values: tuple[str, ...],
        clients: Mapping[str, frozenset[str]] | None,
        extra_values: tuple[str, ...] = (),
        partitioned: bool = False,
    ) -> Symmetry:
        """The group of the explorer model, or ConfigError when it is trivial.

        ``values`` are the client values; ``extra_values`` any other values already in the
        start world (kept as they are); ``partitioned``: the start world is partitioned."""
        node_groups: list[tuple[str, ...]] = []
        reasons: list[str] = []
        if partitioned:
            reasons.append("the start world's partition separates particular nodes")
        elif partitions:
            reasons.append("the partitions offered single out the first acceptors")
        elif not unique_ballots:
            reasons.append("with shared ballots a proposer breaks ties by acceptor id")
        elif getattr(cluster, "flexible", False):
            classes = swap_classes(tuple(cluster.acceptor_ids),
                                   (cluster.phase1_quorums, cluster.phase2_quorums))
            node_groups.extend(classes)
            if all(len(c) == 1 for c in classes):
                reasons.append("the explicit quorum sets single out every acceptor")
        else:
            node_groups.append(tuple(cluster.acceptor_ids))
        if not partitions and not partitioned:
            node_groups.append(tuple(cluster.learner_ids))
        value_group: tuple[str, ...] = ()
        if clients is None or all(vs == frozenset(values) for vs in clients.values()):
            value_group = values
        else:
            reasons.append("each proposer's client asks for its own values")
        sym = cls(tuple(cluster.node_ids), node_groups, value_group, values + extra_values)
        if len(sym.renamings) == 1:
            raise ConfigError(
                "symmetry reduction needs interchangeable acceptors, learners or values, and "
                f"this model has none: {'; '.join(reasons) or 'one of each'}.  Run without it"
            )
        return sym

    @property
    def interchangeable(self) -> str:
        """What the group renames, in words."""
        parts = [f"{', '.join(g)} interchangeable" for g in self.node_groups]
        if len(self.value_group) > 1:
            parts.append(f"values {', '.join(self.value_group)} interchangeable")
        return "; ".join(parts) + f" ({len(self.renamings)} renamings)"

    def key(
        self,
        nodes: tuple[int, ...],
        inflight: tuple[int, ...],
        world: World,
        extra: tuple[object, ...],
        code: Callable[[object], int],
        objects: list[object],
    ) -> tuple[object, ...]:
        """The canonical key of ``world``, whose node states and messages have the codes
        ``nodes`` and ``inflight`` (``code`` gives new objects theirs, ``objects`` maps a
        code back).  ``extra`` is appended unchanged (it must be renaming-invariant)."""
        votes = world.votes
        log = world.learned_log
        vote_codes = [code(t) for t in votes] if votes else []
        best: tuple[object, ...] | None = None
        plans = zip(self.renamings, self._plans, strict=True)
        for g, (source, node_bits, value_bits, cache) in plans:
            try:
                n = tuple([cache[nodes[i]] for i in source])
                m = sorted([cache[c] for c in inflight])
                v = sorted([cache[c] for c in vote_codes])
            except KeyError:
                for c in (*nodes, *inflight, *vote_codes):
                    if c not in cache:
                        cache[c] = code(g.rename(objects[c]))
                n = tuple([cache[nodes[i]] for i in source])
                m = sorted([cache[c] for c in inflight])
                v = sorted([cache[c] for c in vote_codes])
            crashed = 0
            for x in world.crashed:
                crashed |= node_bits[x]
            proposed = 0
            for x in world.proposed:
                proposed |= value_bits[x]
            learned: tuple[tuple[str, str | None], ...] = ()
            if log:
                learned = tuple(sorted((g.node(x), g.value(y)) for x, y in log))
            candidate = (n, tuple(m), tuple(v), crashed, proposed, learned, *extra)
            if best is None or candidate < best:
                best = candidate
        assert best is not None
        return best
