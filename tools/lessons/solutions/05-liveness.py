# %% [markdown]
# # 05 · Liveness — reference answers
#
# The exercises of [lesson 05](../05-liveness.ipynb), answered. Each check below should say
# *Well done*.

# %%
import paxos_lib as px
from paxos_lib import liveness

SEED = 0

# %% [markdown]
# **Exercise 1 — back-off.** Start with a window of about one round (a quiet round takes 6
# to 10 steps here), double it after each refusal so that it catches up with a network of
# any speed, cap it so that a long unlucky streak does not park a proposer forever, and
# draw the wait at random from the window so that two proposers refused together come back
# apart.

# %%
def backoff(attempt, rng):
    window = min(256, 8 * 2 ** (attempt - 1))
    return rng.randint(0, window)


px.exercises.check_backoff(backoff)

# %% [markdown]
# The same function can drive a race directly, in place of a strategy's name:

# %%
print(liveness.race(backoff, seed=SEED + 17))

# %% [markdown]
# **Exercise 2 — who leads?** Every proposer must reach the same answer from the same list,
# so pick by a fixed order: the first proposer that is up leads. When it crashes, the next
# one takes over by itself.

# %%
def should_retry(me, up):
    return me == min(up)


px.exercises.check_should_retry(should_retry)
