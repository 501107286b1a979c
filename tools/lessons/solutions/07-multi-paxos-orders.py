# %% [markdown]
# # 07 · Multi-Paxos: a log of order commands — reference answers
#
# The exercises of [lesson 07](../07-multi-paxos-orders.ipynb), answered. Each check below
# should say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — stop at the first gap.** Apply slots in order and stop at the first one not
# known chosen: applying a later slot first could run the commands in another order than on
# the other replicas. A no-op is a chosen command like any other.

# %%
def first_gap(log):
    for slot, command in enumerate(log):
        if command is None:
            return slot
    return len(log)


px.exercises.check_first_gap(first_gap)

# %% [markdown]
# **Exercise 2 — recover an open slot.** Propose the command of the highest-ballot vote: if
# any command was chosen in the slot, it is that one. With no vote reported, nothing can have
# been chosen there, and a no-op fills the hole.

# %%
def recover_slot(votes):
    if not votes:
        return "noop"
    ballot, command = max(votes, key=lambda vote: vote[0])
    return command


px.exercises.check_recover_slot(recover_slot)

# %% [markdown]
# **Exercise 3 — the client table.** Compare the request with the client's last applied one.
# A higher number is a new request: run it. The same number is a retry whose reply was lost:
# send the saved reply again and run nothing. A lower number is a stale copy of a request the
# client already had answered (it would not have sent a later one otherwise): nobody waits for
# it, and running it would apply an old command after newer ones. One entry per client is
# enough only because each client has at most one request outstanding; a client that pipelines
# requests needs a window of replies per client instead.

# %%
def dedup(table, client, request):
    if client not in table or request > table[client][0]:
        return ("apply", None)
    last_request, last_reply = table[client]
    if request == last_request:
        return ("reply", last_reply)
    return ("ignore", None)


px.exercises.check_dedup(dedup)
