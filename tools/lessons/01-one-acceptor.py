# %% [markdown]
# # 01 · One acceptor: the toy we start from
#
# An online shop must agree that order 42 is "confirmed", and once agreed it must never turn
# into "cancelled" behind a customer's back. This lesson runs the smallest Paxos there is, a
# single node that agrees with itself, and then breaks it in the two ways that the rest of the
# course repairs.
#
# ## Learning goals
#
# 1. Run the toy single-node Paxos and say what its two phases, *prepare* and *accept*, do.
# 2. Explain what a *promise* protects, and why the accept step checks it.
# 3. Show what one acceptor cannot survive: a crash, and a second proposer.
#
# ## What consensus must guarantee
#
# *Consensus* means that some nodes propose values (here "confirmed" or "cancelled") and
# everyone ends up agreeing on one of them. A value is **chosen** when the protocol has
# settled on it; a node has **learned** it when it knows that. A correct consensus protocol
# promises four things, and the course's checkers print the first three by name:
#
# - **validity** (`validity`): only a value that some proposer proposed can be chosen.
# - **agreement** (`agreement`): at most one value is chosen; order 42 is never both
#   "confirmed" and "cancelled".
# - **learner integrity** (`learners`): a node learns only a value that was chosen.
# - **termination**: eventually some value is chosen, and learners learn it.
#
# The first three are **safety** properties: they say that nothing bad ever happens, so one
# finite run can break them, and the checkers test them in every state (they print
# `agreement (always) holds` or `VIOLATED`). Termination is a **liveness** property: it says
# that something good eventually happens, and no finite run can break it, only fail to get
# there yet. The checkers' `chosen` property is a weaker cousin, marked *sometimes*: it only
# asks that *some* run chooses a value. Keep the two kinds apart: the course will show Paxos keeping safety in
# every run, and explain (lesson 05) why no protocol can guarantee termination in every run.

# %%
import paxos_lib as px
from paxos_lib.snippet import PaxosNode, Proposal, run_paxos

SEED = 0

# %% [markdown]
# ## The toy, run as written
#
# `paxos_lib.snippet` keeps the course's starting point exactly as it was first written: a
# `Proposal` (an id and a value), a `PaxosNode` that can *promise* and *accept*, and
# `run_paxos`, which asks one node to agree on an order state.

# %%
result = run_paxos("confirmed")
print("Paxos result:", result)

# %% [markdown]
# ## What prepare and accept do
#
# Paxos runs in two phases, and the node answers each with yes or no:
#
# - **Prepare** ("phase 1"): a proposer asks *will you promise to ignore every proposal with
#   a smaller id than this one?* The node says yes if it has promised nothing yet, or only a
#   smaller id.
# - **Accept** ("phase 2"): the proposer asks *please accept this value under that id*. The
#   node says yes only if that is the id it promised.
#
# Why two phases? The first one clears the way: after promising id 1, the node will refuse
# anything older, so the proposer knows nobody can sneak an older value in while it finishes.
# Let us walk through the phases by hand.

# %%
node = PaxosNode()
print("promise id 1?  ", node.prepare(1))
print("accept id 1?   ", node.accept(Proposal(id=1, value="confirmed")))
print("node accepted: ", node.accepted)

# %% [markdown]
# **Predict, then run.** A second proposer, which wants the order "cancelled", now sends
# `prepare(1)` to the same node: the same id, because in the toy everybody uses id 1. Will the
# node promise it? And if the second proposer tries id 2 instead, what will the node hold at
# the end? Commit your prediction below, then run the cell after it.

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "it refuses id 1, and at the end still holds 'confirmed'",
    "it refuses id 1, and at the end holds 'cancelled'",
    "it promises id 1 again, and at the end holds 'cancelled'",
])

# %% reveal
guess.recall()
again = node.prepare(1)
print("promise id 1 again?", again)
print("promise id 2?      ", node.prepare(2))
print("accept id 2?       ", node.accept(Proposal(id=2, value="cancelled")))
print("node accepted:     ", node.accepted)
guess.reveal(f"it {'promises id 1 again' if again else 'refuses id 1'}, and at the end "
             f"{'still holds' if node.accepted.value == 'confirmed' else 'holds'} "
             f"{node.accepted.value!r}")

# %% [markdown] reveal
# The same id is refused: a promise is only given to an id *greater* than the one promised.
# But id 2 goes straight through, and the node, which had agreed that order 42 is
# "confirmed", now says "cancelled". Nothing in the toy tells the second proposer that a value
# was already accepted: its *prepare* answer is a bare yes. Real Paxos fixes exactly this:
# the promise carries the value the node already accepted, and the proposer must propose that
# value instead of its own (lesson 03).

# %% [markdown]
# ## The same toy on the course's engine
#
# From here on we use `paxos_lib`'s engine, which runs the same two phases as messages between
# nodes: a proposer `p1`, acceptors `a1, a2, …` and a learner `l1` that finds out what was
# chosen. Each step is one message delivered, so we can watch, pause and interfere. The
# engine calls the toy's proposal id a **ballot**, written `round.node` such as `1.p1`: a
# round number, and the id of the proposer that runs it (lesson 03 shows why the proposer's
# id is part of it). A proposer that gets no answer tries again in the next round, `2.p1`,
# and so on. Here is the toy's run with one acceptor, step by step.

# %%
sim = px.Simulation(px.Cluster(proposers=1, acceptors=1), seed=SEED)
sim.propose("p1", "confirmed")
sim.run(max_steps=20)
print(sim.trace.numbered())
print("chosen:", sorted(sim.chosen()), " learned:", sim.learned())

# %%
ax = px.viz.sequence_chart(sim.trace)

# %% [markdown]
# Read the chart from top to bottom: each vertical line is a node, each arrow a message. The
# proposer's *prepare* (1a) gets a *promise* (1b); its *accept* (2a) gets an *accepted* (2b).
# With one acceptor, one vote is a quorum, so "confirmed" is chosen the moment `a1` accepts
# it. The acceptor sends its *accepted* to the learner too, but here the proposer was
# quicker: having counted the vote, it tells the learner with a *decided* message (the last
# line of the trace), and the learner learns from whichever arrives first. The run stops once
# every learner has learned, so `a1`'s copy to `l1` was still on its way. *Decided* is not one
# of the paper's four messages; it is a shortcut that saves the learner counting votes
# itself.

# %% [markdown]
# ## What one acceptor cannot survive
#
# **Predict, then run.** The proposer sends its prepare, and then the only acceptor crashes
# for good. The proposer keeps retrying with higher ballots. After 30 steps, what has been
# chosen?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["'confirmed'", "nothing"])

# %% reveal
guess.recall()
sim = px.Simulation(px.Cluster(proposers=1, acceptors=1), seed=SEED)
sim.propose("p1", "confirmed")
sim.apply(px.Crash("a1"))
run = sim.run(max_steps=30, faults=px.Faults(recover=0.0))
print(f"after {run.steps} steps: chosen {sorted(run.chosen)}, learned {run.learned}")
print("the proposer is now at ballot", sim.world.node("p1").ballot)
guess.reveal(" or ".join(repr(v) for v in sorted(run.chosen)) or "nothing")

# %% [markdown] reveal
# Nothing, ever. A single acceptor is a single point of failure: while it is down, no value
# can be chosen, and if its disk is lost the order's fate is lost with it. Lesson 02 replaces
# it with several acceptors and asks only a *majority* of them to vote.

# %% [markdown]
# ## Two proposers with the same ballot
#
# The toy gives everybody id 1. On the engine, the `duplicate-ballots` variant does the same:
# both proposers write ballot `1.p`. The acceptor promises ballot 1.p to both (it is the
# ballot it already promised), then accepts "confirmed" from one and "cancelled" from the
# other, at the same ballot.

# %%
sim = px.Simulation(px.Cluster(proposers=2, acceptors=1), seed=SEED, variant="duplicate-ballots")
sim.propose("p1", "confirmed")
sim.propose("p2", "cancelled")
for proposer in ("p1", "p2"):
    sim.deliver("prepare", src=proposer)
    sim.deliver("promise", dst=proposer)
sim.deliver("accept", src="p1")
sim.deliver("accept", src="p2")
print("chosen:", sorted(sim.chosen()))
print(sim.check()[0])

# %%
ax = px.viz.sequence_chart(sim.trace)

# %% [markdown]
# Two values were chosen for one order: the shop told one customer "confirmed" and another
# "cancelled". Real Paxos gives every proposer its own ballots, `round.node` such as `1.p1` and
# `1.p2`, so no two proposers ever share one, and any two ballots can be compared.

# %% [markdown]
# ## What we saw
#
# - The toy's **prepare** asks for a promise to ignore older ids; its **accept** asks the node
#   to take a value under the promised id.
# - A promise that carries **no accepted value** lets a later proposer overwrite a value that
#   was already agreed.
# - **One acceptor** is a single point of failure: when it is down, nothing can be chosen.
# - **Shared ballots** let two proposers get two different values accepted at once.
#
# Next: [02 · Many acceptors](02-many-acceptors.ipynb) replaces the single node with a
# majority of several.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/01-one-acceptor.ipynb`; try
# first.
#
# **Exercise 1 — the promise rule.** `should_promise(promised, ballot)` says whether an
# acceptor that has promised `promised` (`None` if nothing yet) may promise `ballot`. Ballots
# are `px.Ballot(round, node)` values: `ballot.round` is a number, `ballot.node` the
# proposer's id. The starting version is a first attempt that looks only at the rounds. Which
# pair of ballots does it get wrong, and is that mistake dangerous or only wasteful? If you
# "fix" it by letting an equal round through, what does the check say then? A *prepare*
# delivered twice asks again for the very ballot already promised: answering yes and
# answering no are both safe, so the check accepts either (the reference answers compare
# the two).

# %%
def should_promise(promised, ballot):
    return promised is None or ballot.round > promised.round


px.exercises.check_should_promise(should_promise)

# %% [markdown]
# **Exercise 2 — the accept rule.** `should_accept(promised, ballot)` says whether the
# acceptor may accept a value at `ballot`. The starting version is again the toy's rule: accept
# only the ballot it promised. Which sensible requests does it refuse, and what would an
# acceptor that accepted everything break?

# %%
def should_accept(promised, ballot):
    return promised == ballot


px.exercises.check_should_accept(should_accept)
