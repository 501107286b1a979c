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
