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
# 1. Explain Paxos as a refinement of Voting and Voting of Consensus, and check an inductive
#    invariant.
# 2. State exactly which quorums Paxos needs, and what Flexible Paxos trades.
# 3. Compare Raft with Multi-Paxos: what is the same, and what Raft decides differently.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# ## Part 1 · Consensus, Voting, Paxos: a refinement
#
# <!-- part 1 (refinement): its cells follow this one, up to Part 2's heading. -->

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
# <!-- part 4 (raft): its cells follow this one, up to the summary. -->

# %% [markdown]
# ## What we saw
#
# <!-- summary part 1 -->
#
# - Lamport's texts write the acceptor differently (promise with `>` or `≥`, accept only at
#   the promised ballot, or without raising the promise); all are safe, and they differ in
#   which runs exist and in which of Paxos.tla's invariants hold.
#
# - Flexible Paxos: phase 1 and phase 2 may use different quorums, safe exactly when every
#   phase-1 quorum meets every phase-2 quorum; smaller phase-2 quorums make commands cheaper
#   and leader changes costlier.
#
# <!-- summary part 4 -->
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
# <!-- exercise 1 (refinement): an inductive invariant; cells follow this one. -->

# %% [markdown]
# ### Exercise 2 · Quorums that intersect
#
# Write `safe(n, q1, q2)`: True when n acceptors, with phase-1 quorums of any q1 of them and
# phase-2 quorums of any q2, can never choose two values for order 42. The starter below is
# plausible, and wrong.

# %%
def safe(n, q1, q2):
    return q1 + q2 >= n


px.exercises.check_flexible_quorums(safe)

# %% [markdown]
# <!-- exercise 3 (raft): the commit rule; cells follow this one. -->
