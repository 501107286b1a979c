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
# <!-- part 2 (presentations): its cells follow this one, up to Part 3's heading. -->

# %% [markdown]
# ## Part 3 · Flexible Paxos
#
# <!-- part 3 (flexible): its cells follow this one, up to Part 4's heading. -->

# %% [markdown]
# ## Part 4 · Raft beside Multi-Paxos
#
# <!-- part 4 (raft): its cells follow this one, up to the summary. -->

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
#
# <!-- summary part 2 -->
#
# <!-- summary part 3 -->
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
# ### Exercise 1 · An inductive invariant of Voting
#
# Write `invariant(s)`, true in every state Voting can reach, and strong enough to be an
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
# <!-- exercise 2 (flexible): quorums that intersect; cells follow this one. -->

# %% [markdown]
# <!-- exercise 3 (raft): the commit rule; cells follow this one. -->
