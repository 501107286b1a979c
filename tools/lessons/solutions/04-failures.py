# %% [markdown]
# # 04 · Failures — reference answers
#
# The exercises of [lesson 04](../04-failures.ipynb), answered. Each check below should say
# *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — what each reply waits for.** Exactly the fields the message changed. A copy of
# a prepare already answered, and any message below the promise, change nothing and need no
# write. A prepare that raises the promise needs the promise. An accept needs the vote, and
# the promise too when the accept's ballot is above the promise: accepting ballot b is also a
# promise to ignore everything below b, and an acceptor that came back having promised less
# could accept an older ballot behind a newer proposer's back.

# %%
def writes(message, before, after):
    fields = ("promised", "accepted_ballot", "accepted_value")
    return {name for name in fields if getattr(before, name) != getattr(after, name)}


px.exercises.check_writes(writes)

# %% [markdown]
# **Exercise 2 — which side can choose?** Learners and extra proposers do not count; what a
# side needs is someone to propose, and a quorum of acceptors to vote.

# %%
def can_choose(cluster, side):
    has_proposer = any(node in cluster.proposer_ids for node in side)
    acceptors = sum(1 for node in side if node in cluster.acceptor_ids)
    return has_proposer and acceptors >= cluster.quorum_size


px.exercises.check_can_choose(can_choose)
