# %% [markdown]
# # 01 · One acceptor — reference answers
#
# The exercises of [lesson 01](../01-one-acceptor.ipynb), answered. Each check below should
# say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — the promise rule.** Compare whole ballots, not rounds: `Ballot` orders by
# round first and breaks a tie by the proposer's id, so `1.p2` is above `1.p1`. Looking only at
# rounds refuses `1.p2` after `1.p1` (safe, but p2 wastes a round), and letting an equal round
# through promises `1.p1` after `1.p2`, which breaks the promise made to p2.
#
# For the ballot already promised, both answers are safe. Lamport's *Paxos Made Simple* and
# the `Phase1b` action of `Paxos.tla` use a strict `>`: a duplicated *prepare* is refused, and
# the proposer, which already holds that promise, loses nothing. The course's acceptor uses
# `>=`: the duplicate gets the same promise again, which is harmless because the acceptor's
# state does not change, and a proposer whose first promise was lost still gets one. Either
# way no acceptor ever promises a ballot *below* one it promised, which is what safety needs.

# %%
def should_promise(promised, ballot):
    return promised is None or ballot >= promised


px.exercises.check_should_promise(should_promise)

# %% [markdown]
# Lamport's strict rule passes too:

# %%
def should_promise_strict(promised, ballot):
    return promised is None or ballot > promised


px.exercises.check_should_promise(should_promise_strict)

# %% [markdown]
# **Exercise 2 — the accept rule.** Accept unless a *higher* ballot was promised. Accepting
# with no promise made is safe: nobody was told anything. Accepting a ballot above the one
# promised is safe too, and needed: its proposer may have collected its promises from another
# majority. Accepting below the promise is what must never happen.

# %%
def should_accept(promised, ballot):
    return promised is None or ballot >= promised


px.exercises.check_should_accept(should_accept)
