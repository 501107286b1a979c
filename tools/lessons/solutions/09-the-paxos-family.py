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
# <!-- exercise 2: reference answer; cells follow this one. -->

# %% [markdown]
# <!-- exercise 3: reference answer; cells follow this one. -->
