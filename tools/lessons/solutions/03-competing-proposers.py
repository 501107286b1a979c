# %% [markdown]
# # 03 · Competing proposers — reference answers
#
# The exercises of [lesson 03](../03-competing-proposers.ipynb), answered. Each check below
# should say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — the value to propose.** Among the promises that report a vote, take the one
# with the highest ballot and propose its value; only when none reports a vote is the
# proposer free to propose its own. The first vote found may be an old one that a later
# ballot has already replaced.

# %%
def pick_value(promises, own):
    votes = [(ballot, value) for acceptor, ballot, value in promises if ballot is not None]
    if not votes:
        return own
    ballot, value = max(votes)
    return value


px.exercises.check_pick_value(pick_value)

# %% [markdown]
# **Exercise 2 — foo and bar.** Step 3 cannot go as the question says. C (`a3`) accepted
# "foo" at 1.p1 before it promised B's ballot, so its promise carries that vote; B must
# propose the value of the highest-ballot vote its promises report, which is "foo". B's
# accepts in step 4 carry "foo", B and C accept it, and "foo", chosen in step 2 already, stays
# the only chosen value. B's own acceptor (`a2`) reports nothing: A crashed before its accept
# arrived. The scene on the engine:

# %%
scene = px.exercises.foo_bar_scene()
scene.propose("p2", "bar")
for acceptor in ("a2", "a3"):
    scene.deliver("prepare", "p2", acceptor)
    scene.deliver("promise", acceptor, "p2")
print(scene.world.node("p2").proposal)

# %%
def foo_bar():
    return {"B proposes": "foo", "because of": "a3", "chosen": "foo"}


px.exercises.check_foo_bar(foo_bar)

# %% [markdown]
# **Exercise 3 — what is chosen.** Count *distinct acceptors* per *(ballot, value)* pair: a
# value is chosen when some ballot gathered votes for it from a quorum. Votes stay in the
# history, so a value stays chosen after its voters move on.

# %%
def chosen_values(votes, quorum):
    voters = {}
    for acceptor, ballot, value in votes:
        voters.setdefault((ballot, value), set()).add(acceptor)
    return {value for (ballot, value), who in voters.items() if len(who) >= quorum}


px.exercises.check_chosen(chosen_values)

# %% [markdown]
# **Exercise 4 — after the choice.** Yes, an acceptor can still accept "Y": `a4` never
# promised 5.p1 (that prepare is still in flight) and did promise 1.p3, so p3's old accept
# is legal there. `a5` likewise. But "Y" can never be chosen: a quorum at 1.p3 needs three of
# the five, and `a1`, `a2`, `a3` have promised 5.p1 and refuse it; and any ballot above 5.p1
# gathers promises from three acceptors, one of which reports "X" at 5.p1 (or a later vote
# for "X"), so it proposes "X". A new ballot from p3, as in the starting version, is the
# wrong way round: `a4` and `a5` promise it and then refuse the old accept for "Y".

# %%
def accept_y(sim):
    sim.deliver("accept", "p3", "a4")


px.exercises.check_accept_y(accept_y)
