# %% [markdown]
# # 09 · The Paxos family
#
# Lessons 01 to 08 built Paxos and ran it. This lesson asks how we *know* it is right and
# which of its parts are choices: it checks Paxos against simpler specifications it refines,
# splits its quorums in two (Flexible Paxos), runs the papers' slightly different versions
# side by side, and puts Raft beside Multi-Paxos on the same order workload.
#
# ## Learning goals
#
# 1. Explain Paxos as a refinement of Voting and of Consensus, and check an inductive invariant.
# 2. State exactly which quorums Paxos needs, and what Flexible Paxos trades.
# 3. Compare Raft with Multi-Paxos: what is the same, and what Raft decides differently.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# ## Part 1 · Consensus, Voting, Paxos: a refinement
#
# <!-- part 1 (refinement): its cells follow this one, up to Part 2's heading. -->

# %% [markdown]
# ## Part 2 · One protocol, three presentations
#
# <!-- part 2 (presentations): its cells follow this one, up to Part 3's heading. -->

# %% [markdown]
# ## Part 3 · Flexible Paxos
#
# <!-- part 3 (flexible): its cells follow this one, up to Part 4's heading. -->

# %% [markdown]
# ## Part 4 · Raft beside Multi-Paxos
#
# <!-- part 4 (raft): its cells follow this one, up to the summary. -->

# %% [markdown]
# ## What we saw
#
# <!-- summary part 1 -->
#
# <!-- summary part 2 -->
#
# <!-- summary part 3 -->
#
# <!-- summary part 4 -->
#
# This is the course's last lesson; [01 · One acceptor](01-one-acceptor.ipynb) is where it
# started.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/09-the-paxos-family.ipynb`;
# try first.
#
# <!-- exercise 1 (refinement): an inductive invariant; cells follow this one. -->

# %% [markdown]
# <!-- exercise 2 (flexible): quorums that intersect; cells follow this one. -->

# %% [markdown]
# <!-- exercise 3 (raft): the commit rule; cells follow this one. -->
