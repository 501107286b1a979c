# %% [markdown]
# # 02 · Many acceptors — reference answers
#
# The exercises of [lesson 02](../02-many-acceptors.ipynb), answered. Each check below should
# say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — quorum size.** More than half: ⌊n/2⌋ + 1. Two groups of that size hold more
# than n acceptors between them, so they must share one. Half rounded up is enough only when
# n is odd; with four acceptors, `{a1, a2}` and `{a3, a4}` would both be quorums.

# %%
def quorum_size(n):
    return n // 2 + 1


px.exercises.check_quorum_size(quorum_size)

# %% [markdown]
# **Exercise 2 — crashes survived.** Whatever is left beyond one majority may crash:
# n − (⌊n/2⌋ + 1), which is ⌊(n − 1)/2⌋. With n = 2f+1 acceptors that is f.

# %%
def tolerated_crashes(n):
    return (n - 1) // 2


px.exercises.check_tolerated_crashes(tolerated_crashes)
