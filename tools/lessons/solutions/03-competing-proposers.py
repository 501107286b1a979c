# %% [markdown]
# # 03 · Competing proposers — reference answers
#
# The exercises of [lesson 03](../03-competing-proposers.ipynb), answered. Each check below
# should say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — the value to propose.** Among the promises that report a vote, take the one
# with the highest ballot and propose its value; only when none reports a vote is the
# proposer free to propose its own. The first vote found may be an old one that a later
# ballot has already replaced.

# %%
def pick_value(promises, own):
    votes = [(ballot, value) for acceptor, ballot, value in promises if ballot is not None]
    if not votes:
        return own
    ballot, value = max(votes)
    return value


px.exercises.check_pick_value(pick_value)

# %% [markdown]
# **Exercise 2 — the next ballot.** Go one round above the ballot that refused you, with
# your own id: the higher round beats `refused_by` whatever the ids, and your id keeps the
# ballot yours alone.

# %%
def next_ballot(refused_by, me):
    return px.Ballot(refused_by.round + 1, me)


px.exercises.check_next_ballot(next_ballot)

# %% [markdown]
# **Exercise 3 — what is chosen.** Count *distinct acceptors* per *(ballot, value)* pair: a
# value is chosen when some ballot gathered votes for it from a quorum. Votes stay in the
# history, so a value stays chosen after its voters move on.

# %%
def chosen_values(votes, quorum):
    voters = {}
    for acceptor, ballot, value in votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    return {value for (ballot, value), who in voters.items() if len(who) >= quorum}


px.exercises.check_chosen(chosen_values)


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
