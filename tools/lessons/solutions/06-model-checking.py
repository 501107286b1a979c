# %% [markdown]
# # 06 · Model checking — reference answers
#
# The exercises of [lesson 06](../06-model-checking.ipynb), answered. Each check below should
# say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — write the invariant.** Agreement is about what is *chosen*, and chosen is a
# fact about every vote ever cast: a value is chosen when one ballot gathered votes for it
# from a quorum of acceptors. So group the history by ballot and value, and count the
# acceptors in each group. Acceptors' last votes may differ in a correct world (an outvoted
# proposal), and may agree in a broken one after an acceptor replaced its vote; learners may
# not have heard of a chosen value yet; and votes for one value at two ballots do not add up.
# This is what `px.chosen` computes.

# %%
def agreement(world):
    voters = {}
    for acceptor, ballot, value in world.votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    quorum = world.config.rules.quorum
    chosen = {value for (ballot, value), who in voters.items() if len(who) >= quorum}
    return len(chosen) <= 1


px.exercises.check_agreement(agreement)

# %% [markdown]
# **Exercise 2 — bounds that reach the bug.** The amnesiac acceptor's rule is about what
# survives a crash, so the model needs a crash. A quorum smaller than a majority needs at
# least two acceptors: with one, "less than a majority" still rounds up to one acceptor,
# which *is* the majority, so the variant refuses one acceptor. `snippet`, the original code,
# is safe at round 1 (each acceptor promises round 1 to one proposer, once), so it needs
# round 2, where a proposer retries. The other two go wrong in the smallest model.

# %%
def bounds(variant):
    acceptors = 2 if variant == "minority-quorum" else 1
    crashes = 1 if variant == "amnesiac-acceptor" else 0
    rounds = 2 if variant == "snippet" else 1
    return {"acceptors": acceptors, "max_ballot": rounds, "max_crashes": crashes}


px.exercises.check_bounds(bounds)

# %% [markdown]
# **Exercise 3 — a canonical form.** Forget the names and keep the multiset of the
# acceptors' fields: sort them. A tuple in id order changes when `a1` and `a2` swap; a
# `frozenset` forgets *how many* acceptors hold the same fields, so it lumps two promises
# together with one, a different situation (a quorum may hold in one and not the other). The
# sorted tuple keeps the count and drops only the names: 375 acceptor parts fall into 94
# classes. (Tuples with `None` sort here because `None` only appears with `maxVBal = -1`, where
# two acceptors' fields are then equal.) The packed explorer's canonical form does the same
# with each acceptor's whole part of the state (its fields and the 1b and 2b messages it
# sent), and also renames the values in order of first appearance.

# %%
def canonical(acceptors):
    return tuple(sorted(acceptors.values()))


px.exercises.check_canonical(canonical)

# %% [markdown]
# **Exercise 4 — a schedule that chooses two values.** An acceptor of the original code
# refuses a number it already promised, so `p2` cannot get ballot 1 past `a2`: it is refused,
# waits for its timer, and retries with number 2. That number is greater than every promise,
# and the promises for it carry no vote, so `p2` proposes its own "cancelled", and `a2` and
# `a3` accept it after `a1` and `a2` chose "confirmed" at ballot 1.

# %%
def schedule(sim):
    b1, b2 = px.Ballot(1, "p"), px.Ballot(2, "p")
    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Prepare(src="p1", dst=a, ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p1", ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Accept(src="p1", dst=a, ballot=b1, value="confirmed")))
    sim.propose("p2", "cancelled")
    sim.apply(px.Deliver(px.Prepare(src="p2", dst="a2", ballot=b1)))
    sim.apply(px.Deliver(px.Nack(src="a2", dst="p2", ballot=b1, promised=b1)))
    sim.apply(px.Timeout("p2"))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Prepare(src="p2", dst=a, ballot=b2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p2", ballot=b2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Accept(src="p2", dst=a, ballot=b2, value="cancelled")))


px.exercises.check_snippet_schedule(schedule)
