# %% [markdown]
# # 09 · The Paxos family — reference answers
#
# The exercises of [lesson 09](../09-the-paxos-family.ipynb), answered. Each check below
# should say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# <!-- exercise 1: reference answer; cells follow this one. -->

# %% [markdown]
# ### Exercise 2 · Quorums that intersect
#
# A phase-1 quorum of q1 leaves n - q1 acceptors out; every phase-2 quorum of q2 includes one
# that promised exactly when q2 is larger than that.

# %%
def safe(n, q1, q2):
    return q1 + q2 > n


px.exercises.check_flexible_quorums(safe)

# %% [markdown]
# <!-- exercise 3: reference answer; cells follow this one. -->
