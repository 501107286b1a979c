# %% [markdown]
# # 01 · One acceptor — reference answers
#
# The exercises of [lesson 01](../01-one-acceptor.ipynb), answered. Each check below should
# say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — the promise rule.** Promise when nothing is promised yet, or when the ballot
# is at least the one promised. Answering the ballot already promised again is what makes a
# duplicated *prepare* harmless.

# %%
def should_promise(promised, ballot):
    return promised is None or ballot >= promised


px.exercises.check_should_promise(should_promise)

# %% [markdown]
# **Exercise 2 — the accept rule.** Accept unless a *higher* ballot was promised. Accepting
# with no promise made is safe: nobody was told anything.

# %%
def should_accept(promised, ballot):
    return promised is None or ballot >= promised


px.exercises.check_should_accept(should_accept)
