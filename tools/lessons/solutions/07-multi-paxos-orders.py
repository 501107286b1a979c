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
# **Exercise 3 — count the messages.** A stable leader sends an accept to each of the other
# n−1 replicas and each answers: 2(n−1). Running phase 1 again adds a prepare and a promise
# per other replica: 4(n−1).

# %%
def messages_per_command(n, phase1_every_slot):
    per_replica = 4 if phase1_every_slot else 2
    return per_replica * (n - 1)


px.exercises.check_messages_per_command(messages_per_command)
