# %% [markdown]
# # 09 · The Paxos family
#
# Lessons 01 to 08 built Paxos and ran it. This lesson asks how we *know* it is right and
# which of its parts are choices: it checks Paxos against simpler specifications it refines,
# splits its quorums in two (Flexible Paxos), runs the papers' slightly different versions
# side by side, and puts Raft beside Multi-Paxos on the same order workload.
#
# ## Learning goals
#
# 1. Explain Paxos as a refinement of Voting and of Consensus, and check an inductive invariant.
# 2. State exactly which quorums Paxos needs, and what Flexible Paxos trades.
# 3. Compare Raft with Multi-Paxos: what is the same, and what Raft decides differently.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# ## Part 1 · Consensus, Voting, Paxos: a refinement
#
# Order 42 must end up "confirmed" or "cancelled", never both. Lamport writes that wish and
# the algorithm that grants it as three specifications, each a state machine, from the most
# abstract to the one with messages (`Consensus.tla`, `Voting.tla`, `Paxos.tla`):
#
# - **Consensus** says only *what* may happen: a set `chosen` starts empty and may become
#   `{"confirmed"}` or `{"cancelled"}`, once. No acceptors, no ballots, no messages: at most
#   one of the two is ever chosen.
# - **Voting** says *how acceptors vote*: each acceptor casts votes in numbered ballots, and a
#   value is chosen when every acceptor of some quorum voted for it in one ballot. An acceptor
#   may vote for `v` in ballot `b` only if nobody voted for another value in `b`, and some
#   quorum *shows* `v` safe at `b`: all its members have promised (`maxBal`) not to vote below
#   `b`, and among their votes below `b`, the highest was for `v` (or there is none).
# - **Paxos** says *how acceptors learn enough to vote safely*, with messages: the 1b replies
#   report each acceptor's last vote, and the leader of ballot `b` sends its one 2a only after
#   a quorum of them, with the value Voting's rule allows.
#
# Each level *implements* the one above under a **refinement mapping**, a way to read the
# upper spec's variables off the lower one's state. `Paxos.tla` defines it: Voting's
# `votes[a]` are the 2b messages `a` sent, and `maxBal` is Paxos's own; Voting's `chosen` is
# Consensus's `chosen`. Implementing means: the initial state maps to the initial state, and
# every step maps either to a step of the upper spec or to a **stutter**, a step that changes
# nothing up there (a 1a or 2a message changes neither `votes` nor `maxBal`). Our models use
# Lamport's constants: acceptors a1, a2, a3, values v1 (read "confirmed") and v2 (read
# "cancelled"), ballots 0 and 1, majority quorums: the Tiny model of lesson 06.

# %%
from paxos_lib.refinement import explore_consensus, explore_voting
from paxos_lib.tla import TINY, TlaModel

tlc = {"Voting, ballots 0..1, symmetry": (77, 451, 11),
       "Voting, ballots 0..2": (6_752, 41_017, 16),
       "Consensus, 3 values": (4, 4, 2)}
for name, counts in (("Voting, ballots 0..1, symmetry", explore_voting(TINY, symmetry=True)),
                     ("Voting, ballots 0..2", explore_voting(TlaModel(max_ballot=2))),
                     ("Consensus, 3 values", explore_consensus(TlaModel(values=3)))):
    ours = (counts.states, counts.generated, counts.depth)
    print(f"{name:31} {counts.states:>6,} states, {counts.generated:>6,} generated, "
          f"depth {counts.depth:>2}   equal to TLC's: {ours == tlc[name]}")

# %% [markdown]
# The two new models count exactly what TLC counts on Lamport's own model files, like the
# Paxos model did in lesson 06. Now the refinement check: it walks every reachable Paxos state
# of the Tiny model, maps it and each of its steps up to Voting, and does the same from
# Voting to Consensus.

# %%
majority = [px.check_refinement(TINY, levels) for levels in ("paxos-voting",
                                                               "voting-consensus")]
for result in majority:
    print(result, "\n")

# %% [markdown]
# All 3,921<!--out--> Paxos states map to Voting states, and every step of Paxos is a Voting
# step or a stutter; every Voting step is a Consensus step or a stutter. The mapping even
# reaches every reachable state of Voting: on this model Paxos can do anything Voting allows.
# Most Paxos steps are stutters: sending a 1a or a 2a, or a 2b an acceptor already sent, moves
# nothing at the Voting level.

# %% [markdown]
# **Predict, then run.** Lamport's exercise. Break the quorums: any single acceptor is a
# quorum, `{a1}`, `{a2}`, `{a3}`, so no two quorums need to share an acceptor (a1 alone may
# confirm order 42, a2 alone may cancel it). Voting assumes quorums intersect; neither its
# steps nor Paxos's mention that assumption. Does Paxos still implement Voting? Does Voting
# still implement Consensus?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "both still hold",
    "Paxos no longer implements Voting; Voting still implements Consensus",
    "Paxos still implements Voting; Voting no longer implements Consensus",
    "neither holds",
])

# %% reveal
guess.recall()
broken = TlaModel(quorums="singleton")
singleton = [px.check_refinement(broken, levels) for levels in ("paxos-voting",
                                                                "voting-consensus")]
for result in singleton:
    print(result, "\n")
ax = px.viz.plot_refinement(majority + singleton)
paxos_voting, voting_consensus = (r.ok for r in singleton)
guess.reveal({(True, True): "both still hold",
              (False, True): "Paxos no longer implements Voting; Voting still implements "
                             "Consensus",
              (True, False): "Paxos still implements Voting; Voting no longer implements "
                             "Consensus",
              (False, False): "neither holds"}[(paxos_voting, voting_consensus)])

# %% [markdown] reveal
# Paxos still implements Voting: every one of its steps is still a Voting step or a stutter,
# because nothing in either spec's steps uses the intersection; Paxos does exactly what Voting
# allows, with any quorums. But Voting no longer implements Consensus: the checker's shortest
# counterexample is a behaviour of Voting of three steps whose last step takes `chosen` from
# `{v1}` to `{v1, v2}`, which Consensus never does. Where is the intersection used, then?
# Only in the *proof* that Voting's votes can never put two values in `chosen`: two quorums
# that voted in two ballots share an acceptor, and that acceptor could not have voted for
# both. The figure puts the two quorum systems side by side.

# %% [markdown]
# ### Why Voting is right: an inductive invariant
#
# Checking every reachable state works for a model this small; a proof needs an
# **inductive invariant**: a property that (a) holds in the initial state, (b) is preserved by
# every step *from every state where it holds*, reachable or not, and (c) implies agreement.
# Condition (b) is what makes it a proof for every behaviour, however long. Lamport's is
# `VotesSafe ∧ OneValuePerBallot`. `px.check_inductive` tests all three on every
# type-correct Voting state of the model, not only the reachable ones. One half of Lamport's
# invariant alone, "in each ballot, all votes are for one value":

# %%
def one_value_per_ballot(s):
    """In every ballot, all the votes cast are for the same value."""
    values_in = {}
    for a in s.acceptors:
        for b, v in s.votes[a]:
            values_in.setdefault(b, set()).add(v)
    return all(len(values) == 1 for values in values_in.values())


print(px.check_inductive(one_value_per_ballot, TINY))

# %% [markdown]
# It holds initially and every step preserves it (Voting's rule forbids a second value in a
# ballot), but it does not imply agreement: the checker shows a state that satisfies it in
# which v1 is chosen in ballot 0 and v2 in ballot 1. That state is not reachable, but an
# invariant that lets it through cannot prove anything. Notice the count of states checked:
# 110,592<!--out-->, every state the types allow, of which only a few hundred are reachable.
# Exercise 1 asks you for an invariant that passes all three tests.

# %% [markdown]
# ## Part 2 · One protocol, three presentations
#
# Order 42's acceptors have followed the course's rules since lesson 03: promise a ballot at
# or above your promise, accept at or above it and raise the promise to the ballot accepted.
# Lamport wrote the acceptor three times, and each text differs from ours in one rule:
#
# | version | phase 1b (promise) | phase 2b (accept) |
# |---|---|---|
# | `classic` (this course) | b ≥ promised | b ≥ promised, then promised := b |
# | `paxos-tla` (Paxos.tla) | b > maxBal | b ≥ maxBal, then maxBal := b |
# | `paxos-made-simple` | b ≥ promised | b ≥ promised, promise kept |
# | `part-time-parliament` | b ≥ promised | only b = promised (the priest's nextBal) |
#
# Paxos Made Simple is also famously ambiguous in phase 2a: the proposer "sends an accept
# request to a set of acceptors", so may it ask acceptors that never promised? And if only
# some promises report a vote, may it pick "any value"? The course's rules settle both: the
# proposer sends `Accept` to every acceptor (safe, because what protects a chosen value is the
# phase-1 quorum's promises, not who votes), and it proposes the highest-ballot vote any
# promise reports, its own value only when none reports one (anything else is lesson 03's
# forgetful proposer).
#
# **Predict, then run.** p1 proposes `confirmed` for order 42 on two acceptors; a1 promises,
# and p1's `Accept` reaches a2 *before* p1's `Prepare` does (a2 promised nothing). Which
# versions of the acceptor vote there?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "every version votes",
    "all but the Part-Time Parliament's",
    "only the course's classic acceptor",
])

# %% reveal
guess.recall()
from paxos_lib.presentations import NAMES, compare, overtaken_accept

voted = []
for version in NAMES:
    a2 = overtaken_accept(version).world.nodes[3]
    print(f"{version:22} a2: promised {a2.promised}, accepted {a2.accepted_ballot}")
    if a2.accepted_ballot is not None:
        voted.append(version)
guess.reveal("every version votes" if len(voted) == len(NAMES) else
             "all but the Part-Time Parliament's" if "part-time-parliament" not in voted
             else "only the course's classic acceptor")

# %% [markdown] reveal
# Three versions vote; the Part-Time Parliament's priest does not, since he votes only in the
# ballot he last promised. Paxos Made Simple's acceptor votes but promises nothing, so its
# vote sits *above* its promise. Are they all still safe? The explorer runs each on the same
# small model (two acceptors, a phase-1 quorum of one and a phase-2 quorum of two, Part 3's
# idea), first for agreement, then with Paxos.tla's invariants.

# %%
for version in NAMES:
    c = compare(version)
    breaks = "" if c.breaks is None else f"; breaks {c.breaks} in {c.breaks_at} steps"
    print(f"{version:22} safe: {c.ok}, {c.states:,} states{breaks}")

# %% [markdown]
# All four are safe. The classic, Paxos.tla and Part-Time Parliament acceptors reach the same
# reduced states: the runs where they differ only add replies nobody reads, or wait for a
# `Prepare` that the network may still deliver. Paxos Made Simple's reaches more, and
# Paxos.tla's `votes-within-promise` is not one of its invariants, though agreement is: an
# invariant belongs to a presentation, agreement to the protocol.

# %% [markdown]
# ## Part 3 · Flexible Paxos
#
# The proof of lesson 03 used one intersection: the acceptors a new proposer hears promises
# from (phase 1) must include one that voted in any quorum that chose (phase 2). Phase-1
# quorums need not meet each other, nor phase-2 quorums. So the two phases may use
# different quorum systems: `px.Cluster(acceptors=4, phase1_quorum=3, phase2_quorum=2)`
# asks for three promises but only two votes.
#
# **Predict, then run.** Order 42 with three acceptors: a proposer needs promises from two
# of them, but one vote chooses. Can `confirmed` and `cancelled` both be chosen?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["no, it is safe", "yes, two values can be chosen"])

# %% reveal
guess.recall()
flexible = px.Cluster(proposers=2, acceptors=3, phase1_quorum=2, phase2_quorum=1)
print("every phase-1 quorum meets every phase-2 quorum:", flexible.quorums_intersect())
result = px.explore(flexible, {"p1": "confirmed", "p2": "cancelled"}, max_ballot=1,
                    properties=["agreement"], reduce=True, symmetry=True,
                    least_interleaved=True)
print(result.detail)
print(result.counterexample.numbered())
guess.reveal("no, it is safe" if result.ok else "yes, two values can be chosen")

# %% [markdown] reveal
# Two values chosen in the shortest run the explorer finds: a1 alone votes `confirmed` (a
# phase-2 quorum), then p2 hears promises from a2 and a3 only, learns of no vote, and gets
# a1 itself to vote `cancelled`. A phase-1 quorum of 2 and a phase-2 quorum of 1 out of 3
# can miss each other. The same run as a chart, and in the view to step through:

# %%
ax = px.viz.sequence_chart(result.counterexample)

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(result.counterexample)

# %% [markdown]
# With four acceptors, three promises and two votes are safe; the explorer checks every
# interleaving (`python -m paxos_lib check --acceptors 4 --phase1-quorum 3 --phase2-quorum 2
# --max-ballot 1` says so in about a minute). Quorums may also be explicit sets: rows of a
# grid for phase 1 and columns for phase 2 always meet.

# %%
for q1, q2 in ((3, 2), (2, 2)):
    c = px.Cluster(acceptors=4, phase1_quorum=q1, phase2_quorum=q2)
    print(f"q1={q1}, q2={q2}: intersect {c.quorums_intersect()}, "
          f"disjoint pair {c.disjoint_quorums()}")
grid = px.Cluster(acceptors=4, phase1_quorum=[["a1", "a2"], ["a3", "a4"]],
                  phase2_quorum=[["a1", "a3"], ["a2", "a4"]])
print(grid, "->", grid.quorums_intersect())

# %% [markdown]
# What it buys. In Multi-Paxos a stable leader runs only phase 2 for each command, so small
# phase-2 quorums make every command cheaper and let it ignore more slow acceptors; the price
# is paid at a leader change, which needs a larger phase-1 quorum and fails with fewer
# crashes. The engine measures it (`paxos_lib.flexible`, also `python bench/flexible.py`):
# five acceptors, each phase-2 quorum with the smallest safe phase-1 quorum, the messages
# a leader waits for averaged over 20 seeded runs.

# %%
from paxos_lib.flexible import measure

rows = measure(5, seeds=20)
for r in rows:
    print(f"q1={r['phase1_quorum']} q2={r['phase2_quorum']}: "
          f"{r['phase2_messages']:.1f} messages per command, survives "
          f"{r['phase2_survives']} slow; leader change {r['phase1_messages']:.1f} messages, "
          f"survives {r['phase1_survives']} crashed")
ax = px.viz.plot_flexible_tradeoff(rows)

# %% [markdown]
# ## Part 4 · Raft beside Multi-Paxos
#
# Raft (Ongaro and Ousterhout, 2014) is the protocol most engineers meet first. Put it beside
# lesson 07's Multi-Paxos and most of it is familiar: a **majority** of servers must store
# every decision, one **leader** at a time takes the clients' commands, and every server
# applies the same **log** of commands, in order, to its own order book. `paxos_lib.raft`
# runs Raft on the same engine, with the same order commands, the same faults and the same
# checker; terms play the part of ballots.
#
# Raft decides three things differently:
#
# 1. **No holes.** A leader only appends to the end of its own log, and makes every
#    follower's log match its own (AppendEntries names the entry just before the new ones; a
#    follower that lacks it refuses, and the leader backs up). Multi-Paxos decides each slot
#    on its own and fills gaps with no-ops.
# 2. **Only an up-to-date candidate is elected.** A server votes at most once per term, and
#    only for a candidate whose log ends in a later term, or in the same term and no shorter.
#    So a new leader already holds every committed entry: it never asks the others for their
#    votes in open slots, as a Multi-Paxos leader does after phase 1.
# 3. **The commit rule.** A leader counts the servers that store an entry, but it may commit
#    only an entry *of its own term* that way; older entries are committed along with it.
#
# Here is order 42 on three Raft servers: `s1` receives the create, waits for its election
# timer (the seeded scheduler decides when it fires, which is Raft's randomized timeout),
# wins term 1, and replicates.

# %%
from paxos_lib.raft import RaftSimulation, server_rows
from paxos_lib.raft.compare import compare
from paxos_lib.raft.scenarios import deliver, figure8, figure8_values

raft = RaftSimulation(3, seed=SEED)
raft.submit("s1", "create #42 (c42/1)")
raft.settle()
print(raft.trace.numbered())
for row in server_rows(raft.world):
    print(row["server"], row["role"], "term", row["term"], "log", row["log"])

# %%
ax = px.viz.sequence_chart(raft.trace)

# %% [markdown]
# 15<!--out--> steps, the shape of Multi-Paxos's first command: a vote round (request-vote
# and vote, Raft's phase 1), an append round (append and append-reply, Raft's phase 2), and a
# heartbeat that carries the leader's commit index to the followers, which then apply the
# entry. A log entry is written `term:command`.
#
# ### Figure 8: why the commit rule looks at the term
#
# The Raft paper's figure 8 shows the one place where counting copies is not enough. We
# play it on three servers, with two clients that both create order 42:
#
# 1. `s1` wins term 1 and appends `create #42 (c1/1)`, which nobody else receives;
# 2. `s2` wins term 2 with `s3`'s vote (their logs are both empty) and appends
#    `create #42 (c2/1)` at the same index 1, which nobody else receives either;
# 3. `s1` wins term 3 with `s3`'s vote (`s1`'s log ends in term 1, `s3`'s is empty).

# %%
sim = figure8("classic")
for row in server_rows(sim.world):
    print(row["server"], row["role"], "term", row["term"], "log", row["log"])

# %% [markdown]
# **Predict, then run.** `s1`, leader of term 3, now copies its entry `create #42 (c1/1)`
# (of term 1) to `s3`, and `s3` confirms. Two of three servers store it: a majority. Does
# `s1` commit it and apply it to its order book?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "yes: a majority stores it",
    "no: not yet",
])

# %% reveal
guess.recall()
deliver(sim, "append", "s1", "s3", 3)
deliver(sim, "append-reply", "s3", "s1", 3)
s1 = sim.world.node("s1")
print("s1 stores", s1.log, "commit index", s1.commit, "applied", sim.applied("s1"))
guess.reveal("yes: a majority stores it" if s1.commit else "no: not yet")

# %% [markdown] reveal
# No: the commit index stays at 0<!--out-->. The entry is from term 1 and `s1` leads term 3,
# so rule 6 of `paxos_lib.raft.server` does not let it count copies of that entry. Why not?
# `s2`'s log ends in term 2, which is *later* than term 1, so `s2` can still win an election
# with `s3`'s vote, and would then make every log match its own, replacing the entry. Once
# `s1` has stored an entry of term 3 on a majority, no server with an older log can win a
# vote from that majority, and everything before the entry is safe with it.
#
# The variant `raft-commit-old-term` drops the term condition. The explorer starts from the
# same moment under it and searches every interleaving for the shortest way to break a Raft
# property.

# %%
broken = figure8("raft-commit-old-term")
deliver(broken, "append", "s1", "s3", 3)
deliver(broken, "append-reply", "s3", "s1", 3)
print("s1 applied", broken.applied("s1"))
result = px.explore(broken.cluster, figure8_values(), start=broken, max_ballot=4)
print(result.end, "-", result.detail)
print(f"{len(result.counterexample)} steps in all; the last {len(result.counterexample) - 15}:")
print("\n".join(result.counterexample.numbered().splitlines()[15:]))

# %% [markdown]
# `s1` committed and applied `create #42 (c1/1)` at index 1; five steps later `s2`, whose
# log ends in term 2, wins term 4 with `s1`'s own vote and holds `create #42 (c2/1)` there
# instead. The next append would overwrite index 1 on every server, and `s1`'s order book
# would disagree with everyone else's. Step through the counterexample below (each server's
# log under the diagrams: ✓ applied, ● committed, ? stored but not known committed, with
# its term); the chart after it is the same run for a printed copy.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(result.counterexample, at=13, value="create #99 (c99/1)")

# %%
ax = px.viz.sequence_chart(result.counterexample)

# %% [markdown]
# ### Side by side on the same workloads
#
# `paxos_lib.raft.compare` runs both protocols on the same seeded scenarios, three servers
# each: messages per command over a workload of orders; steps from a leader's crash until a
# command sent to a follower is applied; and the same partition, a follower (with a waiting
# client) cut off alone for 200 steps. The same figures come from
# `python bench/raft_vs_multipaxos.py`.

# %%
figures = compare(range(3), servers=3, orders=3)
for protocol, row in figures.items():
    print(protocol, row)
axes = px.viz.plot_raft_vs_multipaxos(figures)

# %% [markdown]
# Messages per command are close: both pay one round trip per follower per command once a
# leader is in place. Recovery from a leader crash takes the same number of steps here: the
# follower holding the client's command times out twice, wins an election (phase 1 or a
# vote round) and replicates. The partition shows a real difference: the cut-off Raft server
# starts a new election, *with a new term*, every time its timer fires, while a Multi-Paxos
# candidate resends the same ballot. When the partition heals, both lose their leader (the
# returning server's higher ballot or term preempts it), but Raft pays more to settle: its
# returning server's log is too old to win, so the others must run yet another election.
# Production Raft adds a *pre-vote* round to avoid exactly that.

# %% [markdown]
# ## What we saw
#
# - Consensus says only that at most one of "confirmed" and "cancelled" is ever chosen;
#   Voting says how acceptors vote so that holds; Paxos says how they learn, by messages,
#   enough to vote safely. Each implements the one above under a refinement mapping, and the
#   checker confirmed it on every reachable state and step of the Tiny model (most Paxos
#   steps are stutters at the Voting level).
# - With quorums that need not intersect, Paxos still implements Voting, but Voting no longer
#   implements Consensus: the intersection is used only in the proof that one value is
#   chosen, and a three-step behaviour of Voting chooses two.
# - An inductive invariant holds initially, is preserved by every step from *every* state
#   where it holds (reachable or not), and implies agreement; checking it means enumerating
#   all type-correct states, and a failure comes with a counterexample to induction.
# - Lamport's texts write the acceptor differently (promise with `>` or `≥`, accept only at
#   the promised ballot, or without raising the promise); all are safe, and they differ in
#   which runs exist and in which of Paxos.tla's invariants hold.
# - Flexible Paxos: phase 1 and phase 2 may use different quorums, safe exactly when every
#   phase-1 quorum meets every phase-2 quorum; smaller phase-2 quorums make commands cheaper
#   and leader changes costlier.
# - Raft and Multi-Paxos share the skeleton: a majority stores every decision, one leader
#   takes the commands, every server applies the same log in order. On the same workloads
#   they send about as many messages per command and recover from a leader crash in as
#   many steps.
# - Raft's log has no holes, and only a candidate whose log is at least as up to date as a
#   majority's is elected, so a new leader never recovers slots from the others. The price
#   is the commit rule: a leader counts copies only of an entry of its own term (figure 8);
#   the explorer finds the shortest way to lose an entry without it.
# - Without pre-vote, a cut-off Raft server raises its term at every timeout, where a
#   Multi-Paxos candidate retries one ballot; when it comes back, both unseat the leader.
#
# This is the course's last lesson; [01 · One acceptor](01-one-acceptor.ipynb) is where it
# started.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/09-the-paxos-family.ipynb`;
# try first.
#
# **Exercise 1 — an inductive invariant of Voting.** Write `invariant(s)`, true in every state Voting can reach, and strong enough to be an
# inductive invariant that implies agreement: the check runs `px.check_inductive` on all
# 110,592 type-correct states of the Tiny model and tells you, in plain words, which of the
# three conditions fails, with the state (and step) that shows it. `s` is a
# `px.VotingView`:
#
# - `s.acceptors`, `s.ballots`, `s.values` (tuples) and `s.quorums` (a tuple of frozensets);
# - `s.votes[a]`: the set of `(ballot, value)` votes acceptor `a` cast; `s.max_bal[a]`: the
#   ballot below which `a` will no longer vote (-1 at first);
# - Voting's definitions: `s.voted_for(a, b, v)`, `s.chosen_at(b, v)`, `s.chosen()`,
#   `s.did_not_vote_at(a, b)`, and `s.cannot_vote_at(a, b)` (`a` has not voted in `b` and
#   never will: its `max_bal` is above `b`).
#
# The starter says only what we want in the end, "no two values chosen". The check will show
# you why that is not enough to carry a proof from one step to the next.

# %%
def invariant(s):
    """True in every reachable state of Voting, preserved by every step, enough for
    agreement."""
    return len(s.chosen()) <= 1


px.exercises.check_inductive_invariant(invariant)

# %% [markdown]
# **Exercise 2 — quorums that intersect.** Write `safe(n, q1, q2)`: True when n acceptors, with phase-1 quorums of any q1 of them and
# phase-2 quorums of any q2, can never choose two values for order 42. The starter below is
# plausible, and wrong.

# %%
def safe(n, q1, q2):
    return q1 + q2 >= n


px.exercises.check_flexible_quorums(safe)

# %% [markdown]
# **Exercise 3 — the commit rule.** A Raft leader calls
# `commit_index(log_terms, match_index, current_term, commit_index, majority)` after each
# append-reply: `log_terms[i - 1]` is the term of its entry at index `i`, `match_index` holds
# for every server (the leader first) the highest index known to be stored there, and
# `commit_index` is the leader's commit index so far. Return the new commit index. The
# starting version commits the highest index that a majority stores. The check runs your rule
# in a table of leader situations, then in every leader of the engine's figure-8 run and of
# an order workload. What can a later leader do to an entry your rule committed?

# %%
def commit_index(log_terms, match_index, current_term, commit_index, majority):
    for n in range(len(log_terms), commit_index, -1):
        if sum(1 for m in match_index if m >= n) >= majority:
            return n
    return commit_index


px.exercises.check_raft_commit(commit_index)
