# %% [markdown]
# # 04 · Failures — reference answers
#
# The exercises of [lesson 04](../04-failures.ipynb), answered. Each check below should say
# *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — what goes on disk.** Everything the acceptor knows. The vote carries a
# chosen value into later ballots (forget it, and a later proposer hears of no vote and
# proposes its own value); the promise stops an older ballot from finishing behind a newer
# proposer's back (forget it, and a late *accept* gets a second value chosen). Both are
# written before the acceptor replies.

# %%
def persist(acceptor):
    return {
        "promised": acceptor.promised,
        "accepted_ballot": acceptor.accepted_ballot,
        "accepted_value": acceptor.accepted_value,
    }


px.exercises.check_persist(persist)

# %% [markdown]
# **Exercise 2 — which side can choose?** Learners and extra proposers do not count; what a
# side needs is someone to propose, and a quorum of acceptors to vote.

# %%
def can_choose(cluster, side):
    has_proposer = any(node in cluster.proposer_ids for node in side)
    acceptors = sum(1 for node in side if node in cluster.acceptor_ids)
    return has_proposer and acceptors >= cluster.quorum_size


px.exercises.check_can_choose(can_choose)
