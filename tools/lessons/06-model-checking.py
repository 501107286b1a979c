# %% [markdown]
# # 06 · Model checking: every interleaving, within bounds
#
# Lessons 04 and 05 ran Paxos hundreds of times under random faults, and every run was safe.
# That is evidence, not proof: a bug that needs one particular order of messages can hide
# from a thousand random runs. A model checker visits *every* state a small system can
# reach, so within its bounds "we never saw order 42 both confirmed and cancelled" becomes
# "it cannot happen". This lesson runs the course's explorer on classic Paxos and on each
# broken variant, then on a model of Lamport's own TLA+ specification, whose state counts we
# can compare with those of TLC, the TLA+ model checker.
#
# ## Learning goals
#
# 1. Run the explorer and read its verdict: distinct states, transitions, depth, the *sometimes* example and a shortest counterexample.
# 2. Say precisely what "no violation within these bounds" proves and what it does not, and spot bounds that hide a bug.
# 3. Compare the explorer's state counts with TLC's for Lamport's `Paxos.tla`, and explain what symmetry reduction saves and why it is sound.

# %%
import paxos_lib as px
from paxos_lib import tla

SEED = 0

# %% [markdown]
# ## How often do random runs notice?
#
# Lesson 03's `snippet` variant, the course's original code on every node, is safe while
# every proposer stays at ballot 1, but its promises carry no vote, which matters as soon as
# a proposer gives up and retries with ballot 2. And lesson 04's `amnesiac-acceptor` forgets
# its promise and vote when it crashes. Both are broken; the question is how easily random
# testing notices.
#
# **Predict, then run.** We run each variant 1,000 times with different seeds: two
# proposers, three acceptors, "confirmed" against "cancelled"; for `snippet` a 5% chance per
# step that some proposer times out and retries with a higher ballot, for the amnesiac a 5%
# chance per step that some node crashes. In how many runs will both values be chosen?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "in none: random runs miss these bugs",
    "in under 1% of the runs",
    "in 1% to 10% of the runs",
    "in more than 10% of the runs",
])

# %% reveal
guess.recall()
most = 0
cluster = px.Cluster(proposers=2, acceptors=3)
for variant, faults in (("snippet", px.Faults(timeout=0.05)),
                        ("amnesiac-acceptor", px.Faults(crash=0.05))):
    broken = []
    for seed in range(SEED, SEED + 1000):
        sim = px.Simulation(cluster, seed=seed, variant=variant)
        sim.propose("p1", "confirmed")
        sim.propose("p2", "cancelled")
        if not sim.run(max_steps=500, faults=faults).ok:
            broken.append(seed)
    print(f"{variant}: two values chosen in {len(broken)} of 1000 runs (seeds {broken})")
    most = max(most, len(broken))
guess.reveal("in none: random runs miss these bugs" if most == 0 else "in under 1% of the runs"
             if most < 10 else "in 1% to 10% of the runs" if most <= 100
             else "in more than 10% of the runs")

# %% [markdown] reveal
# A handful of runs in a thousand for each variant, about one in a hundred at best. A test
# suite with a few dozen random runs would very likely pass both variants. The bad schedules
# exist, but they are rare: a proposer must retry, or an acceptor crash, and the second
# proposer slip in, at just the wrong moments.

# %% [markdown]
# ## Every interleaving
#
# The explorer (`px.explore`) does not sample. It starts from the initial world and builds
# the graph of everything that can happen:
#
# 1. From each world it takes every action the engine allows (`enabled_actions`: each message
#    that could be delivered, each client request, each crash allowed) and applies it.
# 2. A world it has seen before is not explored again, so the search ends once no new world
#    turns up.
# 3. It goes breadth first, one step further at a time, and checks every new world against
#    the `always` properties: first the invariants below, then agreement, validity and
#    learner consistency. So the first violation it meets is at the end of a *shortest*
#    possible run: a shortest counterexample.
# 4. It also records the first world where each `sometimes` property holds ("some value is
#    chosen"), to show that the protocol can make progress at all. A protocol that never
#    chooses anything is trivially safe, and a safety check of it would pass vacuously.
#
# The **invariants** are the parts of the inductive invariant in Lamport's `Paxos.tla`, the
# facts his proof shows hold in every reachable state, read on our messages and votes. Each
# is kept true by one rule of the protocol, so the invariant a run breaks names the rule that
# failed, usually several steps before two values are chosen:
#
# | invariant | in plain words | the rule that keeps it true |
# |---|---|---|
# | `one-value-per-ballot` | at most one value is proposed (2a) at each ballot | a ballot belongs to one proposer, which proposes one value in it |
# | `votes-within-promise` | an acceptor votes only at or below its promise, and neither its promise nor its vote ever goes back | promise only higher ballots, accept nothing below the promise, keep both across a crash |
# | `promises-report-votes` | a promise for ballot b reports the acceptor's highest vote below b | a promise carries the acceptor's last vote |
# | `votes-safe` | every vote and every 2a at ballot b is *safe*: at each lower ballot a quorum rules out any other value being chosen (its members voted for this value there, or promised above and never voted there) | the proposer adopts the highest-ballot vote its quorum of promises reports |
# | `learned-stable` | a learner never changes the value it learned | a learner counts votes for one value at one ballot |
#
# To keep the graph finite it needs **bounds**: how many ballot rounds a proposer may start,
# how many crashes may happen, which values the clients ask for. By default it uses
# Lamport's network model `sent-set`: a message once sent can be received any number of
# times, or never, which covers loss, duplication and reordering at once.
#
# Here is classic Paxos with two proposers and one acceptor, each proposer's client asking
# for one value, ballot rounds up to 1.

# %%
clients = {"p1": "confirmed", "p2": "cancelled"}
result = px.explore(px.Cluster(proposers=2, acceptors=1), clients, max_ballot=1)
print(result.end, "-", result.detail)
print(f"{result.states:,} distinct states, {result.transitions:,} transitions, depth {result.depth}")
print("a shortest run that chooses a value:")
print(result.examples["chosen"].numbered())

# %% [markdown]
# How to read this:
#
# - **exhausted**: every reachable world was visited, and every property, invariants
#   included, holds in all of them. This, and only this, ends with `result.ok` true.
# - **distinct states**: 344<!--out--> different worlds can be reached; **transitions** counts
#   every step the explorer computed (3,420<!--out-->), including the many that lead back to a
#   world already seen.
# - **depth** 15<!--out-->: the longest of the shortest runs to any world has one step fewer
#   (the start is level 1, as in TLC).
# - The **sometimes** example shows that this model can choose a value, in 4<!--out--> steps,
#   so the proof is not vacuous.
#
# ## Every broken variant, caught
#
# Now the broken variants of the **bug zoo** (`px.zoo`): each changes one rule, and
# `px.zoo.catch(variant)` runs the explorer with the bounds that variant needs, with clients
# asking for "v1" and "v2". Most need only two proposers and one acceptor at ballot round 1;
# `snippet` needs round 2 (its ballot 1 is safe), the amnesiac acceptor one crash (its broken
# rule is about what survives a crash), a proposer that forgets its round on restart
# (`ballot-reuse`) a crash and three acceptors, and a learner that counts votes across
# ballots two acceptors. A proposer that adopts the *lowest*-ballot vote reported
# (`lowest-vote`) needs two votes for different values at two ballots before anything goes
# wrong, so its search, on three acceptors and rounds up to 2, starts from a 12-step run that
# makes them (`px.zoo.two_votes`). (`minority-quorum` is yours in exercise 2.) This cell
# takes several seconds.

# %%
found = {}
for variant in ("snippet", "amnesiac-acceptor", "accept-below-promise", "duplicate-ballots",
                "forgetful-proposer", "lowest-vote", "ballot-reuse", "cross-ballot-learner"):
    result = px.zoo.catch(variant)
    found[variant] = result.counterexample
    print(px.zoo.summary(variant, result))

# %% [markdown]
# Every bug is found, deterministically and in seconds, where random runs found two
# of them a handful of times in a thousand. Each counterexample is as short as a
# counterexample can be in that model, and it stops at the first invariant broken, whose name
# points at the broken rule. Among the shortest, the explorer shows the one that switches
# least between proposers (the note at the end of a line gives the count, and the count in
# the first one breadth-first order found; `least_interleaved=False` keeps that one):
#
# - `snippet` breaks **promises-report-votes**: after voting at ballot 1, the acceptor's
#   promise for ballot 2 is a bare yes. The rule "a promise carries the last vote" is the one
#   it lacks.
# - `amnesiac-acceptor` and `accept-below-promise` break **votes-within-promise**: the
#   first promises, crashes and forgets the promise it sent; the second accepts `1.p1` after
#   promising `1.p2`, and its promise goes back. Both fail the rule "never go below a
#   promise".
# - `duplicate-ballots` and `ballot-reuse` break **one-value-per-ballot**: two proposers
#   sharing ballot `1.p`, or one proposer restarting at a round it already used, propose two
#   values at one ballot. The rule "a ballot belongs to one proposer, once" is gone.
# - `forgetful-proposer` breaks **votes-safe**: its 2a for "v2" at `1.p2` ignores the vote
#   for "v1" at `1.p1` that the promise reported. The rule "adopt the highest reported vote"
#   is gone. `lowest-vote` breaks it too: from the two votes, a proposer hears of both, adopts
#   "v1" from the lower ballot, and its 2a at round 2 ignores the later vote for "v2".
# - `cross-ballot-learner` keeps every invariant of the acceptors and proposers, and breaks
#   **learners**: it learns a value that was never chosen, by adding up votes from two
#   ballots.
#
# Here is the amnesiac one, the shortest of all: `a1` receives `p1`'s prepare and sends its
# promise for `1.p1`, then crashes, which wipes its memory: it has now promised nothing and
# would accept a ballot below the one its promise announced.

# %%
print(found["amnesiac-acceptor"].numbered())
ax = px.viz.sequence_chart(found["amnesiac-acceptor"])

# %% [markdown]
# Step through each counterexample the checker found: pick a variant in the view's *run*
# menu. Each opens at its violation, the red verdict naming the property broken;
# ⟲ Replay from the start and ▶ Play walk it from step 0. The charts after it are the other
# variants', for a printed copy.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(found["amnesiac-acceptor"], runs=found)

# %%
for variant in found:
    if variant != "amnesiac-acceptor":
        ax = px.viz.sequence_chart(found[variant])

# %% [markdown]
# ## The bug zoo: random runs against exhaustive search
#
# How rare are these bugs for random testing, with every fault switched on? The script
# `bench/detection.py` runs each variant 2,000 times (seeds 0 to 1,999) on two proposers,
# three acceptors and one learner, on the lossy network with drops, duplicates, crashes,
# partitions and timeouts, at most 400 steps a run, and counts the runs that end with two
# values chosen (or a wrong value learned), and the runs in which any property, invariants
# included, fails after some step. It takes minutes, too long for a lesson cell; on the
# project's two-core machine `python bench/detection.py --runs 2000` printed:
#
# | variant | consensus broken | any property broken | explorer |
# |---|---|---|---|
# | `snippet` | 100 / 2000 | 862 / 2000 | 6 steps |
# | `forgetful-proposer` | 118 / 2000 | 220 / 2000 | 7 steps |
# | `lowest-vote` | 9 / 2000 | 11 / 2000 | 17 steps |
# | `amnesiac-acceptor` | 4 / 2000 | 425 / 2000 | 3 steps |
# | `accept-below-promise` | 164 / 2000 | 714 / 2000 | 6 steps |
# | `duplicate-ballots` | 290 / 2000 | 613 / 2000 | 6 steps |
# | `ballot-reuse` | 0 / 2000 | 0 / 2000 | 10 steps |
# | `cross-ballot-learner` | 79 / 2000 | 79 / 2000 | 14 steps |
# | `minority-quorum` | 253 / 2000 | 253 / 2000 | 8 steps |
#
# Three lessons in that table. First, a rate of 4 in 2,000 (the amnesiac acceptor) or 9 in
# 2,000 (`lowest-vote`) means a test suite of a hundred random runs passes a broken protocol
# most of the time. Second, some bugs random runs never find here: a restarted `ballot-reuse`
# proposer's client asks again for the *same* value, and the bug needs a different one, a
# schedule the random driver never makes. The explorer does not care how likely a schedule
# is: within its bounds it tries every one, the rare and the never-sampled alike, and it
# found all nine with a shortest run to read. Third, checking the invariants after every step
# catches far more runs than checking for two values at the end (862 against 100 for
# `snippet`): a broken rule shows long before it costs agreement, and often in runs where, by
# luck, it never does. A random run that passes says "this run was fine"; an exhausted search
# says "no run within these bounds can go wrong", and a violated one hands you the shortest
# way it does.

# %% [markdown]
# ## Lamport's Paxos.tla, counted against TLC
#
# How do we know the explorer itself is right? One way is to run it on a model whose state
# count is known. Lamport's TLA+ specification of Paxos (`Paxos.tla`, from his lecture *The
# Paxos Algorithm, or How to Win a Turing Award*, in the tlaplus/Examples repository) is
# much more abstract than our engine. It has no proposer processes: four actions, one per
# step of the paper, act for any ballot:
#
# | action | what it does |
# |---|---|
# | `Phase1a(b)` | send a 1a (*prepare*) message for ballot b |
# | `Phase1b(a)` | acceptor a promises a higher ballot and sends a 1b carrying its last vote |
# | `Phase2a(b, v)` | with 1b messages from a quorum, send the one 2a (*accept*) of ballot b, for a safe value v |
# | `Phase2b(a)` | acceptor a votes for a 2a message whose ballot is not below its promise |
#
# Messages are a set that only grows (`msgs`), there are no crashes and no learners, and
# values are just `v1` and `v2`. `paxos_lib.tla` transcribes the spec action by action and
# counts states the way TLC does: one successor per way of satisfying an action, repeats
# included, plus the initial state, makes TLC's "states generated". Its model `tla.TINY` is
# the one of the spec's `MCPaxos.tla`: 3 acceptors, 2 values, ballots 0 and 1, majority
# quorums. There are two explorers of this model: a plain breadth-first search over sets of
# messages, and a fast one over states packed into integers.
#
# **Predict, then run.** TLC reports 3,921 distinct states, 23,563 states generated and
# depth 17 for this model. Will both explorers match all three numbers exactly?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["both match all three", "one of them matches, the other does not",
                        "neither matches all three"])

# %% reveal
guess.recall()
matches = 0
print(tla.TINY)
tlc = (3_921, 23_563, 17)
for name, search in (("plain", tla.reference_bfs), ("packed", tla.explore_tla)):
    r = search(tla.TINY)
    ours = (r.states, r.generated, r.depth)
    print(f"{name:6}  {r.end}: {r.states:,} distinct states, {r.generated:,} generated, "
          f"depth {r.depth}  equal to TLC's: {ours == tlc}")
    matches += ours == tlc
guess.reveal({2: "both match all three", 1: "one of them matches, the other does not"}.get(
    matches, "neither matches all three"))

# %% [markdown] reveal
# Both match exactly. Two independent searches and TLC agree on the number of states, the
# number of transitions and the depth, which is strong evidence that `paxos_lib`'s model
# and its counting are the spec's: a single missing or extra transition anywhere would
# change a count. The packed explorer also handles TLC's next model, ballots 0 to 2 (185,369
# distinct states, 1,361,380 generated, depth 25), in about half a second: on the project's
# two-core machine `python bench/explore.py` measured 0.44 s, against 7.7 s for the plain
# search.
#
# Notice how much smaller this model is than our engine's: three acceptors fit easily,
# because the spec leaves out everything that does not matter for agreement (proposer
# state, timers, nacks, learners). Choosing what to leave out is half the art of model
# checking.

# %% [markdown]
# ## What bounds mean for a proof
#
# An "exhausted" search is a proof, but only of the model that was searched. Watch how the
# number of states grows as the bounds grow, in both models.

# %%
no_learners = ["agreement", "validity", "chosen"]
engine_models = (
    ("2 proposers, 1 acceptor, rounds <= 1", 1, {}),
    ("2 proposers, 1 acceptor, rounds <= 1, 1 crash", 1, {"max_crashes": 1}),
    ("2 proposers, 2 acceptors, rounds <= 1, learners skipped", 2,
     {"properties": no_learners}),
)
for name, acceptors, bounds in engine_models:
    r = px.explore(px.Cluster(proposers=2, acceptors=acceptors), clients, max_ballot=1, **bounds)
    print(f"engine  {name:56} {r.end}: {r.states:>7,} states, depth {r.depth}")
for max_ballot in (0, 1, 2):
    r = tla.explore_tla(tla.TlaModel(acceptors=3, values=2, max_ballot=max_ballot))
    name = f"3 acceptors, 2 values, ballots 0..{max_ballot}"
    print(f"tla     {name:56} {r.end}: {r.states:>7,} states, depth {r.depth}")

# %% [markdown]
# ("Learners skipped" leaves out the learner property; the explorer then never delivers
# messages to the learner, which changes nothing for the other nodes and shrinks the space
# several times.) Each extra acceptor, round or crash multiplies the states. Our engine with
# two proposers and *three* acceptors, rounds up to 1 and learners skipped, does not finish
# within 10 seconds, even with the symmetry reduction below: after 8 minutes it had met a
# million symmetry classes and was still at depth 22. Its worlds hold far more than the spec's: each proposer's
# collected promises and votes, its phase, refusals, and every re-sent reply. A search that
# stops early is worth nothing as a proof, and the explorer says so:

# %%
r = px.explore(px.Cluster(proposers=2, acceptors=2), clients, max_ballot=1,
               properties=no_learners, max_states=1_000)
print(r.end, "- ok:", r.ok)
print(r.detail)

# %% [markdown]
# Bounds also decide whether a bug can be found at all. Take the spec with quorums of one
# acceptor each: quorums that do not intersect, so two ballots can choose two values.
#
# **Predict, then run.** With ballots 0 to 1 the checker finds two values chosen. What will
# it say with only ballot 0?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["it finds two values chosen there too",
                        "it searches everything and finds no violation"])

# %% reveal
guess.recall()
ends = {}
for max_ballot in (0, 1):
    r = tla.explore_tla(tla.TlaModel(quorums="singleton", max_ballot=max_ballot))
    print(f"singleton quorums, ballots 0..{max_ballot}: {r.end} after {r.states:,} states")
    ends[max_ballot] = r.end
print(r.counterexample)
guess.reveal("it searches everything and finds no violation" if ends[0] == "exhausted"
             else "it finds two values chosen there too")

# %% [markdown] reveal
# With ballot 0 alone the search ends "exhausted": a clean bill of health for a broken
# protocol. With a single ballot there is a single 2a message, so only one value is ever
# proposed, and agreement holds for a reason that has nothing to do with quorums. The proof is true, and
# useless: the bounds left out exactly the situation where the broken rule matters (two
# ballots competing). So:
#
# - **Within the bounds**, "exhausted" is a proof: no run of that model, however unlikely,
#   breaks the properties.
# - **Outside them** it says nothing. A bug that needs three rounds, or two crashes, or four
#   acceptors, is invisible to a model with fewer.
# - **Choose bounds that exercise every rule**: at least two proposers or ballots that can
#   compete, a crash if any rule concerns crashes, and a second round if any concerns a
#   retry (`snippet` is safe at round 1). The *sometimes* examples help show the model is not
#   vacuous.
# - Experience says most bugs have small counterexamples (the "small scope hypothesis"):
#   every variant in the bug zoo goes wrong with at most three acceptors, two rounds and one
#   crash. For
#   *every* size you need a proof, like lesson 03's numbered argument; for `Paxos.tla` such
#   a proof has been checked by machine with TLAPS, the TLA+ proof system.

# %% [markdown]
# ## Symmetry
#
# In `Paxos.tla` the acceptors are interchangeable: every majority is a quorum, so renaming
# `a1`, `a2`, `a3` in any state gives another reachable state, and agreement holds in both or
# in neither. The values `v1` and `v2` are interchangeable too. *Symmetry reduction* keeps
# one representative of each class of states that differ only by such renaming: each state
# is replaced by a canonical form (here: the acceptors sorted by their fields, and the values
# renamed in order of first appearance) before it is looked up.
#
# **Predict, then run.** Three acceptors can be renamed in 3! = 6 ways and two values in 2
# ways, 12 renamings in all. How many times fewer states will the reduced search visit?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["exactly 12 times fewer", "between 6 and 12 times fewer",
                        "under 6 times fewer", "more than 12 times fewer"])

# %% reveal
guess.recall()
ratios = []
for model in (tla.TINY, tla.SMALL):
    plain = tla.explore_tla(model)
    reduced = tla.explore_tla(model, symmetry=True)
    print(f"ballots 0..{model.max_ballot}: {plain.states:>7,} states, {reduced.states:>6,} "
          f"symmetry classes ({plain.states / reduced.states:.1f} times fewer), both {reduced.end}")
    ratios.append(plain.states / reduced.states)
guess.reveal("exactly 12 times fewer" if all(r == 12 for r in ratios)
             else "more than 12 times fewer" if max(ratios) > 12
             else "between 6 and 12 times fewer" if min(ratios) >= 6
             else "under 6 times fewer")

# %% [markdown] reveal
# Close to 12, never more: a class holds at most 12 states, and fewer when a renaming maps a
# state to itself (the initial state, where every acceptor looks the same, is alone in its
# class). The reduction is sound because the property does not mention names: if some state
# breaks agreement, so does its canonical form, and the search still finds a violation.

# %% [markdown]
# The same works on our engine's message-level worlds, where renaming an acceptor means
# renaming it in its own state, in every message to or from it, in the proposers' lists of
# promises and votes, and in the history of votes. `symmetry=True` renames acceptors (and
# learners, and values when any proposer may be asked for any value) and keeps the smallest
# renamed key of each world.
#
# **Predict, then run.** One proposer, three acceptors, two values: how close to 12 times
# fewer? And with two proposers, one acceptor and one crash, where only the values can be
# renamed?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "close to 12 with three acceptors, about 2 with one acceptor",
    "close to 12 both times",
    "about 2 both times",
])

# %% reveal
guess.recall()
ratios = []
engine_pairs = [
    ("1 proposer, 3 acceptors", px.Cluster(proposers=1, acceptors=3), {}),
    ("2 proposers, 1 acceptor, 1 crash", px.Cluster(proposers=2, acceptors=1),
     {"max_crashes": 1}),
]
for name, cluster, bounds in engine_pairs:
    plain = px.explore(cluster, ["v1", "v2"], max_ballot=1, properties=no_learners, **bounds)
    reduced = px.explore(cluster, ["v1", "v2"], max_ballot=1, properties=no_learners,
                         symmetry=True, **bounds)
    print(f"{name:34} {plain.states:>6,} states, {reduced.states:>5,} classes "
          f"({plain.states / reduced.states:.1f} times fewer), both {reduced.end}")
    ratios.append(plain.states / reduced.states)
near_12 = [r > 6 for r in ratios]
guess.reveal("close to 12 both times" if all(near_12) else "about 2 both times"
             if not any(near_12) else "close to 12 with three acceptors, about 2 with one acceptor")

# %% [markdown] reveal
# 9.9<!--out--> of the 12 possible with three acceptors. With one acceptor only the two values
# can swap, so at most 2 times fewer, and almost exactly that (2.0<!--out-->): only the worlds
# that hold no value yet are their own renaming.

# %% [markdown]
# Symmetry is not free, and not everywhere. Computing the canonical form costs time per
# state (each world is renamed every possible way), which pays off when the group is large
# and the renaming cheap. And a renaming is only allowed when the protocol never looks at
# the names. Our proposers are not interchangeable, because ballots break ties by proposer id
# (`1.p2` outranks `1.p1`). In the `duplicate-ballots` variant the acceptors are not either:
# two proposers share ballot `1.p`, two promises can report different values at that one
# ballot, and the proposer keeps the one from the lowest acceptor id, so renaming acceptors
# changes what it proposes. The explorer then renames only the values, and says so:

# %%
shared = px.explore(px.Cluster(proposers=2, acceptors=2), ["v1", "v2"], max_ballot=1,
                    variant="duplicate-ballots", properties=no_learners, symmetry=True)
print(shared.model)
print(shared.end, "-", len(shared.counterexample), "steps")

# %% [markdown]
# ## What we saw
#
# - Random runs found the `snippet` and `amnesiac-acceptor` bugs in a few runs in a
#   thousand, and `ballot-reuse` never; the explorer finds every broken variant at once,
#   with a **shortest counterexample** that stops at the first **invariant** broken, whose
#   name points at the broken rule.
# - The explorer visits every world reachable **within bounds**, breadth first; its verdict
#   comes with distinct states, transitions, depth, and a **sometimes** example that shows
#   the check is not vacuous.
# - On Lamport's `Paxos.tla` our counts are **TLC's**: 3,921 distinct states, 23,563
#   generated, depth 17.
# - "Exhausted" proves the property for the model searched and nothing beyond it; bounds
#   that leave out the situation a rule is about give a true but useless proof.
# - **Symmetry reduction** merges states that differ only by renaming interchangeable
#   acceptors and values: up to 12 times fewer states here, with the same verdict, in the
#   spec and in our engine, but only where the protocol never looks at the names.
#
# Next: [07 · Multi-Paxos](07-multi-paxos-orders.ipynb) agrees on every decision about every
# order, not just order 42's fate, with a replicated log.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/06-model-checking.ipynb`; try
# first.
#
# **Exercise 1 — write the invariant.** `agreement(world)` returns True when the world is
# fine: at most one value chosen. Write it from what the world records: `world.votes`, every
# vote ever cast, as a set of `(acceptor, ballot, value)`; `world.config.rules.quorum`, the
# quorum size in force (smaller than a majority in the `minority-quorum` variant); and the
# observation functions `px.learned(world)`, `px.promised(world)` and `px.accepted(world)`
# (each acceptor's last vote, `(ballot, value)` or `None`). Leave `px.chosen` aside: it is
# what the check compares your answer with. The check runs your invariant on every world of
# ten runs: the explorer's shortest counterexample for each broken variant, and five runs of
# classic Paxos. The starting version says "fine" when all acceptors' last votes are for the
# same value. (To look at a run the check names,
# `px.viz.sequence_chart(px.exercises.agreement_scenarios()[name])`.)

# %%
def agreement(world):
    votes = [vote for vote in px.accepted(world).values() if vote is not None]
    return len({value for ballot, value in votes}) <= 1


px.exercises.check_agreement(agreement)

# %% [markdown]
# **Exercise 2 — bounds that reach the bug.** `bounds(variant)` returns the bounds for a
# search of `variant` with two proposers: `{"acceptors": …, "max_ballot": …, "max_crashes":
# …}` (from 1 to 3 acceptors, rounds 1 to 2, 0 to 1 crashes). The check runs the explorer
# within your bounds for each of the five broken variants of lessons 03 and 04 (`snippet`,
# `forgetful-proposer`, `duplicate-ballots`, `amnesiac-acceptor`, `minority-quorum`) and
# passes when every bug is caught. The starting version uses one acceptor, round 1 and no
# crash for all of them. Which variants does it "prove" correct, why is that proof worthless,
# and which does the explorer refuse to search at all?

# %%
def bounds(variant):
    return {"acceptors": 1, "max_ballot": 1, "max_crashes": 0}


px.exercises.check_bounds(bounds)

# %% [markdown]
# **Exercise 3 — a canonical form.** Symmetry reduction stores, instead of a state, a
# *canonical form*: a value that is the same for two states exactly when renaming the
# acceptors turns one into the other. `canonical(acceptors)` gets the acceptors' part of a
# state of `Paxos.tla`, a dict from acceptor id to its `(maxBal, maxVBal, maxVal)`, such as
# `{"a1": (1, 0, "v1"), "a2": (-1, -1, None), "a3": (1, -1, None)}`, and returns such a value.
# The check runs it on the acceptor parts of all 3,921 reachable states of the Tiny model
# (375 different ones), renames each in all 6 ways, and also makes sure your answer does not
# lump together states that are *not* renamings of each other. The starting version keeps
# the acceptors in id order. **Predict** what the check will say about it, then about
# `frozenset(acceptors.values())`.

# %%
def canonical(acceptors):
    return tuple(acceptors.values())


px.exercises.check_canonical(canonical)

# %% [markdown]
# **Exercise 4 — a schedule that chooses two values.** The explorer stopped `snippet` at
# the first invariant it breaks; does the broken rule really cost agreement? Build, step by
# step with `sim.apply(...)`, a run of the `snippet` variant on 2 proposers and 3 acceptors that ends
# with both "confirmed" and "cancelled" chosen. `schedule(sim)` gets a fresh simulation; the
# check replays your steps on the real engine and says which step cannot happen and why, or
# what was chosen. The starting version gets "confirmed" chosen, then lets `p2` try ballot 1.
# What does an acceptor of the original code answer to a ballot it already promised?

# %%
def schedule(sim):
    b1 = px.Ballot(1, "p")
    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Prepare(src="p1", dst=a, ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p1", ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Accept(src="p1", dst=a, ballot=b1, value="confirmed")))
    sim.propose("p2", "cancelled")
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Prepare(src="p2", dst=a, ballot=b1)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p2", ballot=b1)))


px.exercises.check_snippet_schedule(schedule)
