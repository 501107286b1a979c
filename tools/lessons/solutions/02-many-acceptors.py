# %% [markdown]
# # 02 · Many acceptors — reference answers
#
# The exercises of [lesson 02](../02-many-acceptors.ipynb), answered. Each check below should
# say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — a learner that counts.** Count *acceptors*, not messages, and count them
# *per ballot and value*: a duplicated message is still one acceptor, and votes for one value
# at two ballots do not add up. The learner knows as soon as one ballot's voters for a value
# are more than half of the `n` acceptors; messages that arrive later change nothing.

# %%
def learn(accepted, n):
    voters = {}
    for acceptor, ballot, value in accepted:
        voters.setdefault((ballot, value), set()).add(acceptor)
        if len(voters[(ballot, value)]) > n / 2:
            return value
    return None


px.exercises.check_learn(learn)

# %% [markdown]
# **Exercise 2 — what a quorum size buys.** A quorum can still be formed while `quorum`
# acceptors are up, so `n − quorum` may crash. Two quorums are sure to share an acceptor when
# they hold more places than there are acceptors: `2 × quorum > n`. A bigger quorum survives
# fewer crashes; a quorum of half or less survives more, but two disjoint quorums can then
# choose two values. The majority is the smallest quorum that is safe, so it survives the most
# crashes among the safe ones. (Flexible Paxos refines this: only a phase-1 quorum
# and a phase-2 quorum need to meet.)

# %%
def tradeoff(n, quorum):
    return n - quorum, 2 * quorum > n


px.exercises.check_quorum_tradeoff(tradeoff)
