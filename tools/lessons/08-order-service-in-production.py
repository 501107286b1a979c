# %% [markdown]
# # 08 · The order service in production
#
# Lesson 07's five replicas keep identical order books while leaders crash and messages
# vanish. A shop that runs them for a year meets three problems lesson 07 never had: the log
# grows for ever, customers *read* order states as well as change them, and the shop wants to
# add and remove machines without stopping. This lesson follows order 42 through all three.
#
# ## Learning goals
#
# 1. Explain how a snapshot lets a replica drop its log prefix and catch up after a long absence.
# 2. Judge a read as linearizable or not, and say when a leader may answer from its own copy.
# 3. Explain why a new configuration takes effect α slots after it is chosen.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# ## Part 1 · Snapshots and compaction
#
# <!-- part 1 (snapshots): its cells follow this one, up to Part 2's heading. -->

# %% [markdown]
# ## Part 2 · Reads
#
# <!-- part 2 (reads): its cells follow this one, up to Part 3's heading. -->

# %% [markdown]
# ## Part 3 · Changing the members
#
# <!-- part 3 (reconfiguration): its cells follow this one, up to the summary. -->

# %% [markdown]
# ## What we saw
#
# <!-- summary: one bullet group per part, written by each part's author below. -->
#
# <!-- summary part 1 -->
#
# <!-- summary part 2 -->
#
# <!-- summary part 3 -->
#
# Next: [09 · The Paxos family](09-the-paxos-family.ipynb).

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in
# `solutions/08-order-service-in-production.ipynb`; try first.
#
# <!-- exercise 1 (snapshots): the snapshot-install rule; cells follow this one. -->

# %% [markdown]
# <!-- exercise 2 (reads): when is a lease read safe; cells follow this one. -->

# %% [markdown]
# <!-- exercise 3 (reconfiguration): pick alpha; cells follow this one. -->
