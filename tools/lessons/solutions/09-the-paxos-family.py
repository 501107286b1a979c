# %% [markdown]
# # 09 · The Paxos family — reference answers
#
# The exercises of [lesson 09](../09-the-paxos-family.ipynb), answered. Each check below
# should say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — an inductive invariant of Voting.** Lamport's invariant: every vote is for a value *safe* at its ballot (no other value has
# been or can ever be chosen in a lower ballot: in each lower ballot `c` some quorum has all
# voted for `v` or can no longer vote in `c`), and all votes in one ballot are for one value.

# %%
def invariant(s):
    """VotesSafe and OneValuePerBallot, as in Voting.tla."""
    def safe_at(b, v):
        return all(any(all(s.voted_for(a, c, v) or s.cannot_vote_at(a, c) for a in q)
                       for q in s.quorums) for c in range(b))

    values_in = {}
    for a in s.acceptors:
        for b, v in s.votes[a]:
            if not safe_at(b, v):
                return False
            values_in.setdefault(b, set()).add(v)
    return all(len(values) == 1 for values in values_in.values())


px.exercises.check_inductive_invariant(invariant)

# %% [markdown]
# **Exercise 2 — quorums that intersect.** A phase-1 quorum of q1 leaves n - q1 acceptors out; every phase-2 quorum of q2 includes one
# that promised exactly when q2 is larger than that.

# %%
def safe(n, q1, q2):
    return q1 + q2 > n


px.exercises.check_flexible_quorums(safe)

# %% [markdown]
# **Exercise 3 — the commit rule.** Count the servers that store index `n` only when the
# entry at `n` is of the leader's own term; an older entry is committed with it. Figure 8 of
# the Raft paper is why: a majority storing an entry of an earlier term can still be
# outvoted by a server whose log ends in a later term.

# %%
def commit_index(log_terms, match_index, current_term, commit_index, majority):
    for n in range(len(log_terms), commit_index, -1):
        stored = sum(1 for m in match_index if m >= n)
        if log_terms[n - 1] == current_term and stored >= majority:
            return n
    return commit_index


px.exercises.check_raft_commit(commit_index)
