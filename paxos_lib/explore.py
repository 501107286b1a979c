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
   duplicated only while fewer than ``max_copies`` copies of it are in flight;
   ``drops=False`` leaves ``Drop`` out (a network that reorders but never loses).
4. ``Partition``/``Heal`` only with ``partitions=True``.
5. ``values``: which values each proposer's client may ask for.
6. ``max_timeouts`` (None: no bound): at most this many ``Timeout`` steps on any path,
   counted in the search state like crashes.  With clocks (``ClientCluster``) every step
   is a unit of time, so a timer that may fire at every step multiplies the states; a
   bound keeps a search of a few timers' worth of story small.

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

Smaller worlds.  With ``reduce=True`` every world is replaced by its canonical form
(``paxos_lib.reduce``: dead replies, messages to nodes the search never delivers to, and
proposer or learner state no handler will read again are dropped), a stuttering
bisimulation, so verdicts and shortest counterexample lengths are unchanged; ``check`` does
this by default.

Least interleaved.  Breadth-first order picks *a* shortest counterexample, often one that
jumps between the proposers at every step.  ``least_interleaved=True`` (the default, in
``explore`` as in ``check``, so the lessons show readable runs) then picks, among all
shortest counterexamples, one with the fewest *switches*: over the steps that serve a
proposer (``served``: its proposal, timeout, crash, recovery, or a message it
sends or receives), the number of neighbours serving different proposers.  Passes with at
most 0, 1, 2, ... switches walk (state, last proposer) pairs to the counterexample's length
along shortest paths only, so the answer is still shortest; a pass that runs out of time or
memory leaves the breadth-first counterexample in place.

Bounded by default.  Every search stops at ``time_limit`` (default 600 s) and at
``memory_limit`` megabytes of resident memory (default 1,500), ending "time limit" or
"memory limit" rather than running for ever or being killed.

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

from paxos_lib.actions import (
    Action,
    Crash,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Propose,
    Timeout,
)
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
from paxos_lib.reduce import Reduction
from paxos_lib.search import (
    END_BOUND,
    END_EXHAUSTED,
    END_MEMORY_LIMIT,
    END_TIME_LIMIT,
    END_VIOLATION,
    ExploreResult,
    MemoryGauge,
    Progress,
    budget,
    check_count,
    check_memory_limit,
    check_time_limit,
)
from paxos_lib.simulation import Simulation
from paxos_lib.symmetry import Symmetry
from paxos_lib.trace import Trace
from paxos_lib.variants import check_variant

__all__ = ["DEFAULT_VALUES", "ExploreResult", "explore", "switches"]

DEFAULT_VALUES = ("v1", "v2")
MAX_BALLOT = 9
MAX_CRASHES = 9
MAX_COPIES = 4
MAX_TIMEOUTS = 99
#: Crashes and timeouts share the search state's count: crashes below, timeouts above.
_TIMEOUT_UNIT = MAX_CRASHES + 1
MAX_DEPTH = 100_000
MAX_STATES = 100_000_000
#: The properties that read the learners' state or ``learned_log`` (all others read votes,
#: promises and proposals); without them, messages to learners are never delivered.
READS_LEARNERS = ("learners", "learned-stable")
#: The properties that read the promises in flight (``reduce`` then keeps dead ones).
READS_PROMISES = ("votes-within-promise", "promises-report-votes")


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
    symmetry: bool | str = False,
    reduce: bool = False,
    least_interleaved: bool = True,
    memory_limit: float | None = None,
    start: World | Trace | Simulation | None = None,
    progress: bool | str = False,
    max_timeouts: int | None = None,
    drops: bool = True,
) -> ExploreResult:
    """Search every interleaving of ``cluster`` breadth-first (see the module docstring).

    ``values`` are the values clients may propose: a list (any idle proposer may be asked
    for any of them) or a dict from proposer id to its client's value(s), such as
    ``{"p1": "v1", "p2": "v2"}``, which keeps the space small.  ``variant`` and ``network``
    default to the start's, else ``"classic"`` and ``"sent-set"``.  ``properties`` names
    the properties to check (default: all of ``paxos_lib.properties.PROPERTIES``).
    ``symmetry=True`` counts symmetry classes instead of states (acceptors, learners and,
    when any proposer may be asked for any value, values renamed; ``paxos_lib.symmetry``
    says which renamings each model allows); ConfigError when nothing is interchangeable
    (``symmetry="auto"``: use it when something is).
    ``reduce=True`` searches canonical worlds (``paxos_lib.reduce``: messages and state that
    can no longer influence the future dropped; same verdicts, counterexamples as short,
    fewer states).  ``least_interleaved=True`` (the default) picks, among the shortest
    counterexamples, one with the fewest switches between proposers (``switches``, counted
    over the whole run, ``start``'s steps included); ``least_interleaved=False`` keeps the
    first one breadth-first order finds, and skips the extra passes this costs.
    ``max_timeouts`` bounds the ``Timeout`` steps on a path and ``drops=False`` takes no
    ``Drop`` step (bounds 3 and 6 of the module docstring: a smaller model, stated in the
    result's detail line).
    ``time_limit`` (seconds) and ``memory_limit`` (megabytes of resident memory) default to
    ``paxos_lib.search``'s ``DEFAULT_TIME_LIMIT`` and ``DEFAULT_MEMORY_LIMIT``; the search
    then ends "time limit" or "memory limit".  ``progress``: True for a bar, ``"lines"`` for
    a plain line on stderr every few seconds.
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
    check_count("max_timeouts", max_timeouts, low=0, high=MAX_TIMEOUTS, allow_none=True)
    check_time_limit(time_limit)
    check_memory_limit(memory_limit)
    if not (isinstance(progress, bool) or progress == "lines"):
        raise ConfigError(f"progress must be True, False or 'lines', not {progress!r}")
    auto_symmetry = symmetry == "auto"
    if auto_symmetry:
        symmetry = not custom
    flags = (("partitions", partitions), ("symmetry", symmetry), ("reduce", reduce),
             ("least_interleaved", least_interleaved), ("drops", drops))
    for name, flag in flags:
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
        try:
            sym = Symmetry.of(
                cluster,
                unique_ballots=first.rules.unique_ballots,
                partitions=partitions,
                values=values,
                extra_values=tuple(sorted(first.proposed - set(values))),
                clients=clients,
                partitioned=first.partition is not None,
            )
        except ConfigError:
            if not auto_symmetry:
                raise
    learners = custom or any(p.name in READS_LEARNERS for p in props)
    quiet = frozenset(() if learners else first.cluster.learner_ids)
    reduction = None
    if reduce and not custom:
        keep_promises = any(p.name in READS_PROMISES for p in props)
        reduction = Reduction.of(first, quiet, keep_promises=keep_promises)
    search = _Search(
        first=first,
        symmetry=sym,
        reduction=reduction,
        max_ballot=max_ballot,
        max_crashes=max_crashes,
        max_copies=max_copies,
        partitions=partitions,
        clients=clients,
        max_timeouts=max_timeouts,
        drops=drops,
        learners=learners,
        every_step_ballot=custom,
        always=[p for p in props if p.kind == "always"],
        sometimes=[p for p in props if p.kind == "sometimes"],
    )
    seconds, megabytes = budget(time_limit, memory_limit)
    end = search.run(max_depth, max_states, seconds, megabytes, progress)
    interleaving_note = ""
    if end == END_VIOLATION and least_interleaved and not custom:
        clock = time.perf_counter()
        interleaving_note = search.least_interleaved(
            max(seconds - search.seconds, 1.0), megabytes, prefix
        )
        search.seconds += time.perf_counter() - clock

    trace_class: type = Trace
    if custom:
        from paxos_lib.multipaxos.trace import ReplicaTrace  # lazy: multipaxos imports the core

        trace_class = getattr(cluster, "trace_class", ReplicaTrace)  # e.g. RaftTrace

    def trace(key: Key) -> Trace:
        return trace_class(cluster, variant, network, prefix + search.path(key))  # type: ignore[no-any-return]

    def counterexample() -> Trace | None:
        if search.violating is None:
            return None
        if search.violating_path is not None:
            return trace_class(cluster, variant, network, prefix + search.violating_path)  # type: ignore[no-any-return]
        return trace(search.violating)

    bounds = (
        f"ballot rounds <= {max_ballot}, crashes <= {max_crashes}"
        + (f", copies <= {max_copies}" if network == "lossy" else "")
        + ("" if drops or network != "lossy" else ", no loss")
        + ("" if max_timeouts is None else f", timeouts <= {max_timeouts}")
        + (", partitions" if partitions else "")
    )
    names = ", ".join(p.name for p in search.always) or "no always-property"
    if end == END_EXHAUSTED:
        detail = f"{names} hold in every state reachable with {bounds}"
    elif end == END_VIOLATION:
        detail = f"{search.violation_name} violated: {search.violation_why}{interleaving_note}"
    elif end == END_BOUND:
        detail = (
            f"search stopped at {search.stopped_by}; the space with {bounds} was not "
            "exhausted, so nothing is proved beyond the states seen"
        )
    elif end == END_MEMORY_LIMIT:
        detail = (
            f"search stopped at the memory limit ({megabytes:,.0f} MB); the space with "
            f"{bounds} was not exhausted, so nothing is proved beyond the states seen"
        )
    else:
        detail = (
            f"search stopped at the time limit ({seconds:.4g} s); the space with {bounds} was "
            "not exhausted, so nothing is proved beyond the states seen"
        )
    return ExploreResult(
        end=end,
        states=len(search.parent),
        transitions=search.transitions,
        depth=search.depth,
        seconds=search.seconds,
        detail=detail,
        violation=search.violation_name,
        counterexample=counterexample(),
        examples={
            name: None if key is None else trace(key) for name, key in search.examples.items()
        },
        symmetry=sym is not None,
        peak_memory_mb=round(search.peak_memory, 1),
        model=f"{variant}: {cluster}; values {_describe_values(values, clients)}; {network}"
        + ("" if sym is None else f"; symmetry: {sym.interchangeable}")
        + ("" if reduction is None else f"; reduced: {reduction.describe}"),
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
        reduction: Reduction | None = None,
        max_ballot: int,
        max_crashes: int,
        max_copies: int,
        partitions: bool,
        clients: dict[str, frozenset[str]] | None,
        learners: bool,
        every_step_ballot: bool = False,
        max_timeouts: int | None = None,
        drops: bool = True,
        always: list[Property],
        sometimes: list[Property],
    ) -> None:
        self.max_ballot = max_ballot
        self.max_crashes = max_crashes
        self.max_copies = max_copies
        self.partitions = partitions
        self.clients = clients
        self.max_timeouts = max_timeouts
        self.drops = drops
        self.every_step_ballot = every_step_ballot
        self.quiet = frozenset(() if learners else first.cluster.learner_ids)
        self.always = always
        self.sometimes = sometimes
        self.codes: dict[object, int] = {}
        self.objects: list[object] = []
        self.by_id: dict[int, int] = {}
        self.symmetry = symmetry
        self.reduction = reduction
        #: the level (TLC's depth) each stored state was first reached at, and with
        #: symmetry the class of each plain key met (for the least-interleaved passes)
        self.level: dict[Key, int] = {}
        self.raw_class: dict[Key, Key] | None = None if symmetry is None else {}
        self.raw_seen: dict[Key, Key] = {} if self.raw_class is None else self.raw_class
        if reduction is not None:
            first = reduction.canonical(first)
        self.first_world = self.canonical(first, self.key(first, 0))
        self.first_raw = self.key(self.first_world, 0)
        self.first = self.class_key(self.first_raw, self.first_world)
        self.parent: dict[Key, tuple[Key, Action] | None] = {self.first: None}
        self.level[self.first] = 1
        self.transitions = 0
        self.depth = 1
        self.seconds = 0.0
        self.peak_memory = 0.0
        self.examples: dict[str, Key | None] = {p.name: None for p in sometimes}
        self.violating: Key | None = None
        self.violating_path: tuple[Action, ...] | None = None
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
            world.learned_log,
        )

    def class_key(self, raw: Key, world: World) -> Key:
        """The key of ``world``'s symmetry class (without symmetry: ``raw`` itself)."""
        if self.symmetry is None:
            return raw
        return self.symmetry.key(
            raw[0], raw[1], world, (raw[3], raw[4], raw[7]), self.code, self.objects  # type: ignore[arg-type]
        )  # Symmetry.key renames world.learned_log itself

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
            return crashes % _TIMEOUT_UNIT < self.max_crashes
        if isinstance(action, Timeout):
            return self.max_timeouts is None or crashes // _TIMEOUT_UNIT < self.max_timeouts
        if isinstance(action, Drop):
            return self.drops
        if isinstance(action, Duplicate):
            return world.inflight.count(action.message) < self.max_copies
        if isinstance(action, Partition | Heal):
            return self.partitions
        return True

    def spent(self, count: int, action: Action) -> int:
        """The crash and timeout count after ``action`` (timeouts counted only when bounded,
        so searches without the bound keep their keys and state counts)."""
        if isinstance(action, Crash):
            return count + 1
        if isinstance(action, Timeout) and self.max_timeouts is not None:
            return count + _TIMEOUT_UNIT
        return count

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
        time_limit: float,
        memory_limit: float,
        progress: bool | str,
    ) -> str:
        clock = time.perf_counter()
        deadline = clock + time_limit
        gauge = MemoryGauge()
        reduce = None if self.reduction is None else self.reduction.canonical
        parent, key_of, canonical = self.parent, self.key, self.canonical
        allowed, within_ballots = self.allowed, self.within_ballots
        class_key, raw_seen, level_of = self.class_key, self.raw_seen, self.level
        symmetric = self.symmetry is not None
        end = END_VIOLATION if self.check(self.first_world, self.first) else END_EXHAUSTED
        frontier: list[tuple[World, int, Key, Key]] = [
            (self.first_world, 0, self.first_raw, self.first)
        ]
        raw_seen[self.first_raw] = self.first
        with Progress(progress, "explore") as bar:
            while frontier and end == END_EXHAUSTED:
                last = max_depth is not None and self.depth >= max_depth
                next_level: list[tuple[World, int, Key, Key]] = []
                for n, (world, crashes, raw, key) in enumerate(frontier):
                    if n % 256 == 0:
                        bar.update(len(parent), self.depth)
                        if time.perf_counter() > deadline:
                            end = END_TIME_LIMIT
                            break
                        mb = gauge.megabytes()
                        if mb > self.peak_memory:
                            self.peak_memory = mb
                        if mb > memory_limit:
                            end = END_MEMORY_LIMIT
                            break
                    for action in enabled_actions(world):
                        if not allowed(world, action, crashes):
                            continue
                        after = apply_enabled(world, action)
                        if not within_ballots(action, after):
                            continue
                        if reduce is not None:
                            after = reduce(after)
                        self.transitions += 1
                        count = self.spent(crashes, action)
                        new_raw = key_of(after, count, (raw, world))
                        if symmetric:
                            # a world met before needs no renaming to know its class
                            if new_raw in raw_seen:
                                continue
                            new = raw_seen[new_raw] = class_key(new_raw, after)
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
                        level_of[new] = self.depth + 1
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
        self.peak_memory = max(self.peak_memory, gauge.megabytes())
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

    # -- the least interleaved of the shortest counterexamples -------------------------------

    def least_interleaved(
        self, time_limit: float, memory_limit: float, prefix: tuple[Action, ...] = ()
    ) -> str:
        """Replace the counterexample by a shortest one with the fewest proposer switches.

        Passes for k = 0, 1, 2, ... switches: each is a breadth-first walk over (state,
        last proposer served) pairs to the counterexample's length, extending a state at
        step i only if the main search first reached it at level i + 1 (so every path is a
        shortest path) and only along paths with at most k switches, keeping for each pair
        the fewest switches so far.  The first pass that reaches a violating state at the
        last step gives the answer; passes with few switches visit few states.  A run that
        starts from ``prefix`` (``explore(start=...)``) is counted whole: its first step
        switches if it serves another proposer than the prefix's last.  Returns a
        note for the detail line, or "" when the breadth-first counterexample already had
        the fewest (or the passes ran out of time or memory: it is kept, still shortest).
        """
        assert self.violating is not None
        first_path = self.path(self.violating)
        length = len(first_path)
        proposers = frozenset(self.first_world.config.cluster.proposer_ids)
        lead = next((p for a in reversed(prefix) if (p := served(a, proposers))), None)
        before = switches(prefix + first_path, proposers) - switches(prefix, proposers)
        if before == 0 or length == 0:
            return ""
        deadline = time.perf_counter() + time_limit
        gauge = MemoryGauge()
        for k in range(before):
            found = self._fewest_switches(k, length, proposers, deadline, gauge, memory_limit,
                                          lead)
            if found is None:
                return ""  # out of time or memory: keep the breadth-first one
            if found:
                count = switches(prefix + found, proposers) - switches(prefix, proposers)
                self.violating_path = found
                return (
                    f" (the least interleaved of the shortest counterexamples: {count} "
                    f"switch{'' if count == 1 else 'es'} between proposers, against {before} "
                    "in the first one found)"
                )
        return ""

    def _fewest_switches(
        self,
        k: int,
        length: int,
        proposers: frozenset[str],
        deadline: float,
        gauge: MemoryGauge,
        memory_limit: float,
        lead: str | None = None,
    ) -> tuple[Action, ...] | None:
        """A shortest violating path with at most ``k`` switches, () if none, None if the
        time or memory ran out; ``lead`` is the proposer served last before the path."""
        reduce = None if self.reduction is None else self.reduction.canonical
        level_of, raw_class = self.level, self.raw_class
        Node = tuple[Key, str | None]
        Entry = tuple[int, World, int, Key, tuple[Node, Action] | None]
        start: Entry = (0, self.first_world, 0, self.first_raw, None)
        level: dict[Node, Entry] = {(self.first, lead): start}
        history: list[dict[Node, Entry]] = [level]
        for step in range(2, length + 2):  # the level (TLC's depth) of the states reached
            nxt: dict[Node, Entry] = {}
            for n, (here, (count, world, crashes, raw, _)) in enumerate(level.items()):
                if n % 256 == 0 and (
                    time.perf_counter() > deadline or gauge.megabytes() > memory_limit
                ):
                    return None
                last = here[1]
                for action in enabled_actions(world):
                    if not self.allowed(world, action, crashes):
                        continue
                    who = served(action, proposers)
                    total = count + (who is not None and last is not None and who != last)
                    if total > k:
                        continue
                    after = apply_enabled(world, action)
                    if not self.within_ballots(action, after):
                        continue
                    if reduce is not None:
                        after = reduce(after)
                    c = self.spent(crashes, action)
                    new_raw = self.key(after, c, (raw, world))
                    new = raw_class.get(new_raw) if raw_class is not None else new_raw
                    if new is None:
                        new = self.class_key(new_raw, after)
                    if level_of.get(new, step) != step:
                        continue  # not first reached at this level: not on a shortest path
                    node = (new, last if who is None else who)
                    old = nxt.get(node)
                    if old is None or total < old[0]:
                        nxt[node] = (total, self.canonical(after, new_raw), c, new_raw,
                                     (here, action))
            if not nxt:
                return ()
            history.append(nxt)
            level = nxt
        best: tuple[int, Node] | None = None
        for node, (count, world, _, _, _) in level.items():
            if best is not None and count >= best[0]:
                continue
            for p in self.always:
                holds, why = p.check(world)
                if not holds:
                    best = (count, node)
                    self.violation_name, self.violation_why = p.name, why
                    break
        if best is None:
            return ()
        steps: list[Action] = []
        node = best[1]
        for layer in reversed(history[1:]):
            link = layer[node][4]
            assert link is not None
            node, action = link
            steps.append(action)
        steps.reverse()
        return tuple(steps)


def served(action: Action, proposers: frozenset[str]) -> str | None:
    """The proposer a step serves, or None: the proposer that proposes, times out, crashes
    or recovers; for a message, the proposer that sent it or receives it, else (a vote to
    a learner) the proposer whose ballot it carries."""
    node = getattr(action, "proposer", None) or getattr(action, "node", None)
    if node is not None:
        return node if node in proposers else None
    message = getattr(action, "message", None)
    if message is None:
        return None  # partition, heal
    if message.dst in proposers:
        return message.dst  # type: ignore[no-any-return]
    if message.src in proposers:
        return message.src  # type: ignore[no-any-return]
    ballot = getattr(message, "ballot", None)
    owner = getattr(ballot, "node", None)
    return owner if owner in proposers else None


def switches(steps: Iterable[Action], proposers: Iterable[str]) -> int:
    """How many times a run switches between proposers: over the steps that serve a
    proposer (``served``), the number of neighbours that serve different ones."""
    who = frozenset(proposers)
    count = 0
    last = None
    for action in steps:
        p = served(action, who)
        if p is None:
            continue
        if last is not None and p != last:
            count += 1
        last = p
    return count
