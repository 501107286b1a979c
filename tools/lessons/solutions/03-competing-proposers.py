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

# %% [markdown]
# **Exercise 5 — a schedule that chooses two values.** An acceptor of the original code
# refuses a number it already promised, so `p2` cannot get ballot 1 past `a2`: it is refused,
# waits for its timer, and retries with number 2. That number is greater than every promise,
# and the promises for it carry no vote, so `p2` proposes its own "cancelled", and `a2` and
# `a3` accept it after `a1` and `a2` chose "confirmed" at ballot 1.

# %%
def schedule(sim):
    b1, b2 = px.Ballot(1, "p"), px.Ballot(2, "p")
    sim.propose("p1", "confirmed")
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Prepare(src="p1", dst=a, ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p1", ballot=b1)))
    for a in ("a1", "a2"):
        sim.apply(px.Deliver(px.Accept(src="p1", dst=a, ballot=b1, value="confirmed")))
    sim.propose("p2", "cancelled")
    sim.apply(px.Deliver(px.Prepare(src="p2", dst="a2", ballot=b1)))
    sim.apply(px.Deliver(px.Nack(src="a2", dst="p2", ballot=b1, promised=b1)))
    sim.apply(px.Timeout("p2"))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Prepare(src="p2", dst=a, ballot=b2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Promise(src=a, dst="p2", ballot=b2)))
    for a in ("a2", "a3"):
        sim.apply(px.Deliver(px.Accept(src="p2", dst=a, ballot=b2, value="cancelled")))


px.exercises.check_snippet_schedule(schedule)
