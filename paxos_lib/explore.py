"""The explorer: every interleaving of a small cluster, breadth-first, within stated bounds.

Theory of operation
-------------------
``explore`` asks "can this ever go wrong?" of the message-level engine.  It owns no protocol
rules: from each world it takes ``enabled_actions(world)``, keeps those the bounds allow,
and calls ``apply``.  A dict maps every world seen to the step that first reached it;
breadth-first order makes that step part of a shortest path, so the first world that breaks
an ``always`` property yields a shortest counterexample, and the first world where a
``sometimes`` property holds yields a shortest example.  Both come back as ``Trace``
objects that replay in ``Simulation`` (``px.replay(cluster, trace)``).

The bounds that define the model (a search that covers them all ends "exhausted", a proof
within those bounds):

1. ``max_ballot``: no proposer starts a ballot whose round is above it.  A step that would
   (a ``Propose``, a ``Timeout``, or a ``Nack`` delivered) is left out of the model.
2. ``max_crashes``: at most this many ``Crash`` steps on any path; ``Recover`` is free.
   The number of crashes so far is part of the search state.
3. ``Drop`` and ``Duplicate`` exist only on the ``lossy`` network, and a message is
   duplicated only while fewer than ``max_copies`` copies of it are in flight.
4. ``Partition``/``Heal`` only with ``partitions=True``.
5. ``values``: which values each proposer's client may ask for.

The bounds that cut a search short (it then ends "bound", never ``ok``): ``max_depth`` (in
TLC's convention: the start is level 1, so a trace of n steps reaches depth n + 1) and
``max_states``; and ``time_limit`` (it ends "time limit").

A search can start from any world: pass ``start`` as a ``Simulation`` or a ``Trace`` (the
traces returned then begin with its steps, so they replay from the initial world), or as a
bare ``World`` (the traces then hold only the steps taken from it).

Speed and memory.  Hashing a whole ``World`` rehashes every node state and message on each
lookup, so the seen-dict is keyed by small ints instead: each distinct node state and
message gets a code the first time it is met (by equality), and its first copy becomes the
canonical object for that code.  A stored world is rebuilt from canonical objects, so its
successors share them and find their codes by identity (canonical objects live as long as
the search, so identities are never reused).  Only the keys and the current level's worlds
are kept, not every world.

NOTE: the default network is ``sent-set`` (Lamport's ``msgs``): a message once sent can be
received any number of times or never, which covers loss, duplication and reordering for
safety with far fewer states than the ``lossy`` multiset.
NOTE: a learner only listens (it never sends), so when no checked property reads the
learners (``"learners"`` is not among ``properties``) messages to learners are never
delivered.  Every other node and the vote history then reach exactly the same states, and
the space shrinks several times.
Symmetry.  With ``symmetry=True`` the seen-dict holds one key per *symmetry class*: the
smallest of the keys of every renaming of the world (acceptors, learners and, when every
proposer may be asked for every value, values; ``paxos_lib.symmetry`` says which renamings
a model allows and why).  Renaming works on the codes, each object renamed once per
renaming and cached, and a world met before (by its plain key) is never renamed again.  The
frontier keeps the concrete world that first reached a class, and each parent link is the
concrete action taken from the concrete parent, so the traces are real runs from the
initial world and still shortest.  Why this is sound, from any start: renaming commutes
with every step (``g(apply(w, a)) == apply(g(w), g(a))``), so a path between classes lifts
to a path of the same length from the start world itself, and the properties read the same
in every world of a class; so the classes reached are exactly the classes of the worlds
reachable, each at its shortest distance.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import replace

from paxos_lib.actions import Action, Crash, Deliver, Duplicate, Heal, Partition, Propose, Timeout
from paxos_lib.cluster import Cluster
from paxos_lib.engine import (
    Config,
    World,
    apply_enabled,
    check_network,
    enabled_actions,
    initial_world,
)
from paxos_lib.errors import ConfigError
from paxos_lib.messages import Nack
from paxos_lib.properties import Property, check_property_names
from paxos_lib.search import (
    END_BOUND,
    END_EXHAUSTED,
    END_TIME_LIMIT,
    END_VIOLATION,
    ExploreResult,
    Progress,
    check_count,
    check_time_limit,
)
from paxos_lib.simulation import Simulation
from paxos_lib.symmetry import Symmetry
from paxos_lib.trace import Trace
from paxos_lib.variants import check_variant

__all__ = ["DEFAULT_VALUES", "ExploreResult", "explore"]

DEFAULT_VALUES = ("v1", "v2")
MAX_BALLOT = 9
MAX_CRASHES = 9
MAX_COPIES = 4
MAX_DEPTH = 100_000
MAX_STATES = 100_000_000
#: The properties that read the learners' state (all others read votes and proposals).
READS_LEARNERS = ("learners",)


def explore(
    cluster: Cluster,
    values: Iterable[str] | Mapping[str, str | Iterable[str]] = DEFAULT_VALUES,
    *,
    variant: str | None = None,
    network: str | None = None,
    max_ballot: int = 2,
    max_crashes: int = 0,
    max_depth: int | None = None,
    max_states: int | None = None,
    time_limit: float | None = None,
    properties: Iterable[str] | str | None = None,
    partitions: bool = False,
    max_copies: int = 2,
    symmetry: bool = False,
    start: World | Trace | Simulation | None = None,
    progress: bool = False,
) -> ExploreResult:
    """Search every interleaving of ``cluster`` breadth-first (see the module docstring).

    ``values`` are the values clients may propose: a list (any idle proposer may be asked
    for any of them) or a dict from proposer id to its client's value(s), such as
    ``{"p1": "v1", "p2": "v2"}``, which keeps the space small.  ``variant`` and ``network``
    default to the start's, else ``"classic"`` and ``"sent-set"``.  ``properties`` names
    the properties to check (default: all of ``paxos_lib.properties.PROPERTIES``).
    ``symmetry=True`` counts symmetry classes instead of states (acceptors, learners and,
    when any proposer may be asked for any value, values renamed; ``paxos_lib.symmetry``
    says which renamings each model allows); ConfigError when nothing is interchangeable.
    """
    custom = not isinstance(cluster, Cluster) and hasattr(cluster, "make_rules")
    if not isinstance(cluster, Cluster) and not custom:
        raise ConfigError(
            "explore needs a Cluster such as Cluster(proposers=2, acceptors=3) or a "
            f"ReplicaCluster, got {cluster!r}"
        )
    values, clients = _check_values(cluster, values)
    check_count("max_ballot", max_ballot, low=1, high=MAX_BALLOT)
    check_count("max_crashes", max_crashes, low=0, high=MAX_CRASHES)
    check_count("max_depth", max_depth, low=1, high=MAX_DEPTH, allow_none=True)
    check_count("max_states", max_states, low=1, high=MAX_STATES, allow_none=True)
    check_count("max_copies", max_copies, low=1, high=MAX_COPIES)
    check_time_limit(time_limit)
    for name, flag in (("partitions", partitions), ("symmetry", symmetry), ("progress", progress)):
        if not isinstance(flag, bool):
            raise ConfigError(f"{name} must be True or False, not {flag!r}")
    if symmetry and custom:
        raise ConfigError(
            f"symmetry=True renames acceptors, learners and values of a Cluster; in a "
            f"{type(cluster).__name__} every node is also a proposer whose id orders its "
            "ballots, so no two are interchangeable.  Run without symmetry"
        )
    props = _check_properties(cluster, properties) if custom else check_property_names(properties)
    first, prefix, variant, network = _start(cluster, values, variant, network, start)
    if first.max_round > max_ballot:
        raise ConfigError(
            f"the start world already uses ballot round {first.max_round}, above "
            f"max_ballot={max_ballot}"
        )
    sym = None
    if symmetry:
        sym = Symmetry.of(
            cluster,
            unique_ballots=first.rules.unique_ballots,
            partitions=partitions,
            values=values,
            extra_values=tuple(sorted(first.proposed - set(values))),
            clients=clients,
            partitioned=first.partition is not None,
        )
    search = _Search(
        first=first,
        symmetry=sym,
        max_ballot=max_ballot,
        max_crashes=max_crashes,
        max_copies=max_copies,
        partitions=partitions,
        clients=clients,
        learners=custom or any(p.name in READS_LEARNERS for p in props),
        every_step_ballot=custom,
        always=[p for p in props if p.kind == "always"],
        sometimes=[p for p in props if p.kind == "sometimes"],
    )
    end = search.run(max_depth, max_states, time_limit, progress)

    trace_class: type = Trace
    if custom:
        from paxos_lib.multipaxos.trace import ReplicaTrace  # lazy: multipaxos imports the core

        trace_class = ReplicaTrace

    def trace(key: Key) -> Trace:
        return trace_class(cluster, variant, network, prefix + search.path(key))  # type: ignore[no-any-return]

    bounds = (
        f"ballot rounds <= {max_ballot}, crashes <= {max_crashes}"
        + (f", copies <= {max_copies}" if network == "lossy" else "")
        + (", partitions" if partitions else "")
    )
    names = ", ".join(p.name for p in search.always) or "no always-property"
    if end == END_EXHAUSTED:
        detail = f"{names} hold in every state reachable with {bounds}"
    elif end == END_VIOLATION:
        detail = f"{search.violation_name} violated: {search.violation_why}"
    elif end == END_BOUND:
        detail = (
            f"search stopped at {search.stopped_by}; the space with {bounds} was not "
            "exhausted, so nothing is proved beyond the states seen"
        )
    else:
        detail = "search stopped at the time limit; the state space was not exhausted"
    return ExploreResult(
        end=end,
        states=len(search.parent),
        transitions=search.transitions,
        depth=search.depth,
        seconds=search.seconds,
        detail=detail,
        violation=search.violation_name,
        counterexample=None if search.violating is None else trace(search.violating),
        examples={
            name: None if key is None else trace(key) for name, key in search.examples.items()
        },
        symmetry=sym is not None,
        model=f"{variant}: {cluster}; values {_describe_values(values, clients)}; {network}"
        + ("" if sym is None else f"; symmetry: {sym.interchangeable}"),
    )


def _value_list(values: object) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    try:
        out = tuple(values)  # type: ignore[arg-type]
    except TypeError:
        raise ConfigError(
            f"values must be a list of strings such as 'v1', got {values!r}"
        ) from None
    if not out:
        raise ConfigError("values must name at least one value a client may propose")
    for v in out:
        if not isinstance(v, str) or not v:
            raise ConfigError(f"values must be non-empty strings such as 'v1', got {v!r}")
    if len(set(out)) != len(out):
        raise ConfigError(f"values must be distinct, got {out!r}")
    return out


def _check_values(
    cluster: Cluster, values: object
) -> tuple[tuple[str, ...], dict[str, frozenset[str]] | None]:
    """All client values, and per proposer the ones its client may ask for (None: any)."""
    if not isinstance(values, Mapping):
        return _value_list(values), None
    clients: dict[str, frozenset[str]] = {}
    everything: list[str] = []
    for proposer, wanted in values.items():
        cluster.check_node(proposer, "proposer")
        own = _value_list(wanted)
        clients[proposer] = frozenset(own)
        everything.extend(v for v in own if v not in everything)
    if not everything:
        raise ConfigError("values must name at least one value a client may propose")
    return tuple(everything), clients


def _check_properties(cluster: object, names: object) -> tuple[Property, ...]:
    """The properties named in ``names`` among ``cluster.properties`` (None: all)."""
    available = tuple(getattr(cluster, "properties", ()))
    if not available:
        raise ConfigError(f"the cluster {cluster} names no properties to check")
    return check_property_names(names, available)


def _describe_values(values: tuple[str, ...], clients: dict[str, frozenset[str]] | None) -> str:
    if clients is None:
        return ", ".join(values)
    return ", ".join(f"{p}: {'/'.join(sorted(vs))}" for p, vs in clients.items())


def _start(
    cluster: Cluster,
    values: tuple[str, ...],
    variant: str | None,
    network: str | None,
    start: object,
) -> tuple[World, tuple[Action, ...], str, str]:
    """The first world (its config carrying ``values``), the steps before it, the rules."""
    if start is None:
        variant = "classic" if variant is None else variant
        if isinstance(cluster, Cluster):
            variant = check_variant(variant)
        else:
            cluster.make_rules(variant)  # type: ignore[attr-defined]  # raises naming the variants
        network = check_network("sent-set" if network is None else network)
        return initial_world(cluster, variant, network, values), (), variant, network
    prefix: tuple[Action, ...] = ()
    if isinstance(start, Simulation):
        start = start.trace
    if isinstance(start, Trace) or (
        not isinstance(start, World) and hasattr(start, "final") and hasattr(start, "steps")
    ):
        prefix = start.steps
        world = start.final()
    elif isinstance(start, World):
        world = start
    else:
        raise ConfigError(f"start must be a World, a Trace or a Simulation, got {start!r}")
    cfg = world.config
    if cfg.cluster != cluster:
        raise ConfigError(f"the start world's cluster is {cfg.cluster}, not {cluster}")
    pairs = (("variant", variant, cfg.variant), ("network", network, cfg.network))
    for name, given, actual in pairs:
        if given is not None and given != actual:
            raise ConfigError(f"{name}={given!r} but the start world uses {name} {actual!r}")
    config = Config(cluster=cluster, variant=cfg.variant, network=cfg.network, values=values)
    return replace(world, config=config), prefix, cfg.variant, cfg.network


Key = tuple[object, ...]


class _Search:
    """One breadth-first search; ``run`` fills in the counts, the paths and how it ended."""

    def __init__(
        self,
        *,
        first: World,
        symmetry: Symmetry | None = None,
        max_ballot: int,
        max_crashes: int,
        max_copies: int,
        partitions: bool,
        clients: dict[str, frozenset[str]] | None,
        learners: bool,
        every_step_ballot: bool = False,
        always: list[Property],
        sometimes: list[Property],
    ) -> None:
        self.max_ballot = max_ballot
        self.max_crashes = max_crashes
        self.max_copies = max_copies
        self.partitions = partitions
        self.clients = clients
        self.every_step_ballot = every_step_ballot
        self.quiet = frozenset(() if learners else first.cluster.learner_ids)
        self.always = always
        self.sometimes = sometimes
        self.codes: dict[object, int] = {}
        self.objects: list[object] = []
        self.by_id: dict[int, int] = {}
        self.symmetry = symmetry
        self.raw_seen: set[Key] = set()
        self.first_world = self.canonical(first, self.key(first, 0))
        self.first_raw = self.key(self.first_world, 0)
        self.first = self.class_key(self.first_raw, self.first_world)
        self.parent: dict[Key, tuple[Key, Action] | None] = {self.first: None}
        self.transitions = 0
        self.depth = 1
        self.seconds = 0.0
        self.examples: dict[str, Key | None] = {p.name: None for p in sometimes}
        self.violating: Key | None = None
        self.violation_name: str | None = None
        self.violation_why = ""
        self.stopped_by = ""

    # -- keys --------------------------------------------------------------------------------

    def code(self, obj: object) -> int:
        c = self.by_id.get(id(obj))
        if c is None:
            codes = self.codes
            c = codes.get(obj)
            if c is None:
                c = codes[obj] = len(codes)
                self.objects.append(obj)
                self.by_id[id(obj)] = c
        return c

    def key(self, world: World, crashes: int, parent: tuple[Key, World] | None = None) -> Key:
        """The seen-dict key of ``world``; ``parent`` (the key and world it came from, whose
        objects it mostly shares) lets an unchanged network reuse its codes."""
        # Most objects are canonical ones (shared with the parent): a lookup by identity,
        # inlined; only the new ones go through ``code`` (a lookup by equality).
        get = self.by_id.get
        inflight: tuple[int, ...]
        if parent is not None and world.inflight == parent[1].inflight:
            inflight = parent[0][1]  # type: ignore[assignment]
        else:
            found = [get(id(m)) for m in world.inflight]
            if None in found:
                code, sent = self.code, world.inflight
                found = [code(m) if c is None else c for c, m in zip(found, sent, strict=True)]
            inflight = tuple(found)  # type: ignore[arg-type]
        nodes = [get(id(n)) for n in world.nodes]
        if None in nodes:
            code = self.code
            nodes = [code(n) if c is None else c for c, n in zip(nodes, world.nodes, strict=True)]
        return (
            tuple(nodes),
            inflight,
            world.crashed,
            world.partition,
            world.timers,
            world.votes,
            world.proposed,
            crashes,
        )

    def class_key(self, raw: Key, world: World) -> Key:
        """The key of ``world``'s symmetry class (without symmetry: ``raw`` itself)."""
        if self.symmetry is None:
            return raw
        return self.symmetry.key(
            raw[0], raw[1], world, (raw[3], raw[4], raw[7]), self.code, self.objects  # type: ignore[arg-type]
        )

    def canonical(self, world: World, key: Key) -> World:
        """``world`` built from the canonical object of every code in ``key``."""
        objects = self.objects
        nodes = tuple([objects[c] for c in key[0]])
        inflight = tuple([objects[c] for c in key[1]])
        return replace(world, nodes=nodes, inflight=inflight)

    # -- the bounds --------------------------------------------------------------------------

    def allowed(self, world: World, action: Action, crashes: int) -> bool:
        """The environment bounds; the protocol's own rules are ``enabled_actions``'."""
        if isinstance(action, Deliver):
            return action.message.dst not in self.quiet
        if isinstance(action, Propose):
            return self.clients is None or action.value in self.clients.get(action.proposer, ())
        if isinstance(action, Crash):
            return crashes < self.max_crashes
        if isinstance(action, Duplicate):
            return world.inflight.count(action.message) < self.max_copies
        if isinstance(action, Partition | Heal):
            return self.partitions
        return True

    def within_ballots(self, action: Action, after: World) -> bool:
        if self.every_step_ballot or isinstance(action, Propose | Timeout) or (
            isinstance(action, Deliver) and isinstance(action.message, Nack)
        ):
            return after.max_round <= self.max_ballot
        return True

    # -- the search --------------------------------------------------------------------------

    def check(self, world: World, key: Key) -> bool:
        """Check the properties in a new state; True if an always-property failed."""
        for p in self.sometimes:
            if self.examples[p.name] is None and p.check(world)[0]:
                self.examples[p.name] = key
        for p in self.always:
            holds, why = p.check(world)
            if not holds:
                self.violating, self.violation_name, self.violation_why = key, p.name, why
                return True
        return False

    def run(
        self,
        max_depth: int | None,
        max_states: int | None,
        time_limit: float | None,
        progress: bool,
    ) -> str:
        clock = time.perf_counter()
        deadline = None if time_limit is None else clock + time_limit
        parent, key_of, canonical = self.parent, self.key, self.canonical
        allowed, within_ballots = self.allowed, self.within_ballots
        class_key, raw_seen = self.class_key, self.raw_seen
        symmetric = self.symmetry is not None
        end = END_VIOLATION if self.check(self.first_world, self.first) else END_EXHAUSTED
        frontier: list[tuple[World, int, Key, Key]] = [
            (self.first_world, 0, self.first_raw, self.first)
        ]
        raw_seen.add(self.first_raw)
        with Progress(progress, "explore") as bar:
            while frontier and end == END_EXHAUSTED:
                last = max_depth is not None and self.depth >= max_depth
                next_level: list[tuple[World, int, Key, Key]] = []
                for n, (world, crashes, raw, key) in enumerate(frontier):
                    if n % 256 == 0:
                        bar.update(len(parent), self.depth)
                        if deadline is not None and time.perf_counter() > deadline:
                            end = END_TIME_LIMIT
                            break
                    for action in enabled_actions(world):
                        if not allowed(world, action, crashes):
                            continue
                        after = apply_enabled(world, action)
                        if not within_ballots(action, after):
                            continue
                        self.transitions += 1
                        count = crashes + 1 if isinstance(action, Crash) else crashes
                        new_raw = key_of(after, count, (raw, world))
                        if symmetric:
                            # a world met before needs no renaming to know its class
                            if new_raw in raw_seen:
                                continue
                            raw_seen.add(new_raw)
                            new = class_key(new_raw, after)
                        else:
                            new = new_raw
                        if new in parent:
                            continue
                        if last:
                            end, self.stopped_by = END_BOUND, f"the depth bound {max_depth}"
                            break
                        if max_states is not None and len(parent) >= max_states:
                            end, self.stopped_by = END_BOUND, f"the state bound {max_states:,}"
                            break
                        parent[new] = (key, action)
                        after = canonical(after, new_raw)
                        next_level.append((after, count, new_raw, new))
                        if self.check(after, new):
                            end = END_VIOLATION
                            break
                    if end != END_EXHAUSTED:
                        break
                if next_level:
                    self.depth += 1
                frontier = next_level
            bar.update(len(parent), self.depth, force=True)
        self.seconds = time.perf_counter() - clock
        return end

    def path(self, key: Key) -> tuple[Action, ...]:
        """The actions from the first world to the stored state ``key``."""
        steps: list[Action] = []
        link = self.parent[key]
        while link is not None:
            key, action = link
            steps.append(action)
            link = self.parent[key]
        steps.reverse()
        return tuple(steps)
