# %% [markdown]
# # 03 · Competing proposers: ballots, and why the highest accepted value wins
#
# Order 42 now has two proposers that want different things: the warehouse (`p1`) asks for
# "confirmed" and the customer's cancel button (`p2`) asks for "cancelled". Either may win,
# but once one of them is chosen the other must never be. This lesson gives every proposer
# ballots of its own, adds the one rule that makes a later proposer respect an earlier choice
# it may not even know about, and then breaks that rule three ways to watch agreement fail.
#
# ## Learning goals
#
# 1. Explain why ballots must be unique and totally ordered, and compare ballots written `round.node`.
# 2. Apply the rule "propose the value of the highest-ballot vote reported in a quorum of promises", and argue step by step why it keeps a chosen value chosen.
# 3. Tell *chosen* (a fact about the history of votes) from *learned* (what one node knows), and read the explorer's shortest counterexample when one rule is broken.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# ## Two proposers, one order
#
# Why have two proposers at all? Because a proposer is a machine too: if the only one crashes
# halfway through, somebody else must be able to finish the job. And once there are two,
# nothing stops them from running at the same time: there is no global clock that could tell
# the acceptors which request came "first", and messages arrive in any order. So Paxos must
# be safe however the two proposers' messages interleave.
#
# ## Ballots: unique and ordered
#
# Every attempt to get a value chosen runs under a **ballot**, written `round.node`: a round
# number and the proposer's own id, so `1.p1`, `2.p1`, … belong to `p1` and `1.p2`, `2.p2`,
# … to `p2`. Ballots compare by round first, and the node id breaks ties. This gives the two
# properties the protocol needs:
#
# - **Unique**: no two proposers ever run the same ballot, so "the value proposed at ballot
#   b" means one value. Lesson 01 showed what happens when two proposers share ballot 1.
# - **Totally ordered**: any two ballots compare, so an acceptor can always tell which request
#   is newer, and keep its promise to ignore everything older.
#
# **Predict, then run.** Put these four ballots in order. Is `1.p2` above or below `2.p1`?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["1.p2 is above 2.p1", "1.p2 is below 2.p1"])

# %% reveal
guess.recall()
ballots = [px.Ballot(2, "p1"), px.Ballot(1, "p2"), px.Ballot(1, "p1"), px.Ballot(2, "p2")]
print(" < ".join(str(b) for b in sorted(ballots)))
print("1.p2 > 2.p1?", px.Ballot(1, "p2") > px.Ballot(2, "p1"))
guess.reveal("1.p2 is above 2.p1" if px.Ballot(1, "p2") > px.Ballot(2, "p1")
             else "1.p2 is below 2.p1")

# %% [markdown] reveal
# A higher round always wins, whoever runs it; within a round, `p2` outranks `p1` only
# because "p2" sorts after "p1". The tie-break is arbitrary, and that is fine: it only has
# to be the same everywhere.

# %% [markdown]
# What does a proposer do when its ballot is too low? The acceptor refuses with a *nack*
# that names the ballot it promised, and the proposer gives up its ballot; when its retry
# timer fires it starts a new one, in a round above the one that refused it, with its own
# id. Here `a1` has promised `1.p2` before `p1`'s prepare `1.p1` arrives.

# %%
sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=SEED)
sim.propose("p2", "cancelled")
sim.deliver("prepare", src="p2", dst="a1")
sim.propose("p1", "confirmed")
sim.deliver("prepare", src="p1", dst="a1")
sim.deliver("nack", src="a1", dst="p1")
print("after the nack: p1 is", sim.world.node("p1").phase)
sim.apply(px.Timeout("p1"))
print("after its timer: p1 is", sim.world.node("p1").phase, "with ballot",
      sim.world.node("p1").ballot)
print(sim.trace.numbered())

# %% [markdown]
# ## The rule: adopt the highest accepted value
#
# Unique ballots stop two proposers from mixing their values *within* a ballot. They do not
# stop a later ballot from overwriting an earlier one, which is what the toy of lesson 01 did.
# Paxos closes that hole with two changes to phase 1:
#
# - An acceptor's **promise** carries its last vote: the ballot and the value it last
#   accepted, if any.
# - A proposer that has promises from a quorum looks at the votes they report. If any
#   reports one, it proposes the value of the **highest-ballot vote** among them, instead of
#   its own. Only if none reports a vote may it propose its own value.
#
# The proposer cannot tell whether that reported value was *chosen*: it sees only a quorum's
# worth of acceptors, and the votes of the others are out of its sight. It plays safe and
# acts as if the value may have been chosen. Why the *highest* ballot is the right one to
# follow is the heart of Paxos:
#
# **Why a chosen value stays chosen.** Suppose "confirmed" was chosen at ballot b: a quorum
# Q accepted it at b. Take any higher ballot c whose proposer collects promises from a quorum
# R, and suppose (going up one ballot at a time) that every ballot between b and c that
# proposed anything proposed "confirmed".
#
# 1. Q and R share at least one acceptor x, because any two majorities overlap (lesson 02).
# 2. x voted at b *before* it promised c: after promising c it would have refused the accept
#    at b, which is lower. So x's promise for c reports a vote at ballot b or higher.
# 3. Every vote at a ballot from b up to c is for "confirmed": at b because one ballot has one
#    proposer with one value, and above b by our supposition.
# 4. So the highest-ballot vote among R's promises is at b or above and is for "confirmed",
#    and the rule makes c's proposer propose "confirmed".
#
# By induction no ballot above b ever proposes anything else, so "cancelled" can never be
# chosen. Each step rests on one rule; the broken variants at the end of this lesson each
# remove one of them.

# %% [markdown]
# ## A crash right after the vote
#
# Here is the rule at work where it matters most. `p1` runs ballot `1.p1` with `a1` and `a2`.
# `a1` accepts "confirmed", and its vote reaches `p1` and the learner `l1`. Then `a2` accepts
# "confirmed" too, and crashes right after: its two *accepted* messages never leave the
# machine (we drop them).
#
# **Predict, then run.** Is "confirmed" chosen at this point? Does `p1` know it? Does `l1`?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "chosen, and p1 and l1 both know it",
    "chosen, but neither p1 nor l1 knows it",
    "not chosen: a2's votes never left it",
])

# %% reveal
guess.recall()
scene = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=SEED)
scene.propose("p1", "confirmed")
for acceptor in ("a1", "a2"):
    scene.deliver("prepare", src="p1", dst=acceptor)
    scene.deliver("promise", src=acceptor, dst="p1")
scene.deliver("accept", src="p1", dst="a1")
scene.deliver("accepted", src="a1", dst="p1")
scene.deliver("accepted", src="a1", dst="l1")
scene.deliver("accept", src="p1", dst="a2")
scene.apply(px.Crash("a2"))
scene.drop("accepted", src="a2")
scene.drop("accepted", src="a2")
print("chosen: ", sorted(scene.chosen()))
print("learned:", scene.learned())
print(scene.world)
known = scene.learned()["l1"] == "confirmed" and scene.world.node("p1").phase == "decided"
guess.reveal("not chosen: a2's votes never left it" if not scene.chosen()
             else "chosen, and p1 and l1 both know it" if known
             else "chosen, but neither p1 nor l1 knows it")

# %% [markdown] reveal
# ## Chosen versus learned
#
# "confirmed" **is chosen**: `a1` and `a2`, a majority, accepted it at ballot `1.p1`. Yet
# nobody knows. `p1` and `l1` each received one vote, and one vote is not a majority; the
# only other witness is `a2`, which is down. *Chosen* is a fact about the history of the
# whole system (`px.chosen` computes it from every vote ever cast), and it can be true while
# no single node knows it. *Learned* is what one node knows, and it comes later, if at all.
#
# This is why a proposer must never wait to *know* that a value was chosen before respecting
# it.

# %% [markdown]
# Now the customer presses cancel. `p2` runs ballot `1.p2`; with `a2` down, the only
# majority it can reach is `a1` and `a3`. `a1`'s promise will report its vote for
# "confirmed" at `1.p1`; `a3` has never voted.
#
# **Predict, then run.** Which value will `p2` send in its *accept* messages?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["'cancelled', its own client's value", "'confirmed', the value a1 reported"])

# %% reveal
guess.recall()
scene.propose("p2", "cancelled")
for acceptor in ("a1", "a3"):
    scene.deliver("prepare", src="p2", dst=acceptor)
    scene.deliver("promise", src=acceptor, dst="p2")
print(*scene.trace.steps[-4:], sep="\n")
print("p2 wants", repr(scene.world.node("p2").value), "and proposes",
      repr(scene.world.node("p2").proposal))
for acceptor in ("a1", "a3"):
    scene.deliver("accept", src="p2", dst=acceptor)
    scene.deliver("accepted", src=acceptor, dst="l1")
print("chosen: ", sorted(scene.chosen()))
print("learned:", scene.learned())
guess.reveal("'confirmed', the value a1 reported" if scene.world.node("p2").proposal == "confirmed"
             else "'cancelled', its own client's value")

# %% [markdown] reveal
# `p2` proposed "confirmed", the value its customer did *not* ask for, because `a1` reported
# it. The quorum that chose it (`a1`, `a2`) and the quorum `p2` heard from (`a1`, `a3`)
# overlap in `a1`, exactly as step 1 of the argument says. Now `a1` and `a3` accept
# "confirmed" at `1.p2`, `l1` learns it, and the shop tells the customer that the order
# could no longer be cancelled: the right answer, because it had already been confirmed.

# %% [markdown]
# Step through the scene yourself in the stepper below: deliver, drop or crash differently
# and see what `p2` proposes then. The chart after it is the same scene, for a printed copy.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(scene.trace)

# %%
ax = px.viz.sequence_chart(scene.trace)

# %% [markdown]
# ## One rule broken at a time
#
# How sure can we be that all four steps of the argument are needed? Break one rule at a
# time and let the **explorer** look for trouble. `px.explore` tries *every* order in which
# the messages could be delivered, breadth first, and stops at the first world where two
# values are chosen; because it searches breadth first, the run that got there is a
# *shortest* counterexample. (Lesson 06 is all about the explorer.)
#
# To keep each search to a second or two, it starts from the same moment: `p1` holds
# promises from `a1` and `a2` and its *accept* messages are in flight, and `p2`'s client has
# not asked yet. The explorer uses Lamport's network model (`sent-set`): every message
# ever sent stays available, to be received once, many times or never, which covers lost,
# late and duplicated messages at once.

# %%
cluster = px.Cluster(proposers=2, acceptors=3)
clients = {"p1": "confirmed", "p2": "cancelled"}
found = {}
for variant in ("classic", "forgetful-proposer", "duplicate-ballots"):
    start = px.Simulation(cluster, seed=SEED, variant=variant, network="sent-set")
    start.propose("p1", "confirmed")
    for acceptor in ("a1", "a2"):
        start.deliver("prepare", src="p1", dst=acceptor)
        start.deliver("promise", src=acceptor, dst="p1")
    result = px.explore(cluster, clients, max_ballot=1, properties=["agreement"],
                        start=start, max_depth=10)
    found[variant] = result.counterexample
    verdict = "no violation" if result.counterexample is None else (
        f"two values chosen after {len(result.counterexample)} steps "
        f"({len(result.counterexample) - len(start.trace)} after the starting point)")
    print(f"{variant:19} {result.states:>6,} states searched: {verdict}")

# %% [markdown]
# Both broken variants choose two values within 9<!--out--> steps of the starting point (the
# counterexamples above count the 5 steps that set it up too), while classic Paxos chooses at
# most one in every one of the 13,652<!--out--> states it can reach in that many steps
# (`max_depth=10` counts the starting point as level 1). A depth bound makes the classic
# search a test, not a proof: longer runs were not looked at. Lesson 06 shows how far a
# proof within bounds goes. Below, each counterexample in a stepper to walk through and as a
# chart: first `snippet`'s, which needs a search of its own, then these two.
#
# ### `snippet`: a promise that carries no vote
#
# The course's starting code, run on every node, differs from Paxos in more than one rule:
# every proposer numbers its ballots 1, 2, … with no id to tell them apart, an acceptor
# promises only a number *greater* than its promise, and its promise is a bare yes. With
# ballot 1 only, nothing goes wrong (each acceptor promises 1 to one proposer, once, and
# refuses the other proposer's prepare for 1).
# It goes wrong when a proposer retries with number 2. The explorer checks the invariants of
# Lamport's proof too, and stops at the first one broken: in 6 steps, on one acceptor, a
# promise for ballot 2 says nothing of the vote its acceptor cast at ballot 1. Step 2 of the
# argument is gone. (Whether that lets two values be chosen is lesson 06's exercise 4.)

# %%
found["snippet"] = px.zoo.catch("snippet").counterexample
print(found["snippet"].numbered())

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(found["snippet"])

# %%
ax = px.viz.sequence_chart(found["snippet"])

# %% [markdown]
# A proposer cannot wait for certainty about what was chosen, which is why the rule says
# *may have been chosen*: a promise must report every vote, chosen or not.
#
# ### `forgetful-proposer`: the vote is reported, and ignored
#
# From the starting point above, with correct acceptors: `p1` gets `a1` and `a2` to vote
# `confirmed` (steps 6 and 7), so it is chosen. Then `p2` prepares `1.p2`, and at steps 11
# and 12 the promises of `a1` and `a2` both say `(had 1.p1 'confirmed')`. But this proposer
# proposes its own value whatever the promises say, so step 4 of the argument is gone, and
# so is agreement.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(found["forgetful-proposer"])

# %%
ax = px.viz.sequence_chart(found["forgetful-proposer"])

# %% [markdown]
# ### `duplicate-ballots`: two proposers, one ballot
#
# Here both proposers write ballot `1.p`. `a1` and `a2` promise `1.p` to `p1`, and promise it
# again to `p2`: it is the ballot they already promised, and answering a repeated prepare
# again is what makes a duplicated message harmless. Now both proposers hold a quorum of
# promises for the same ballot; neither acceptor had voted yet, so each proposer proposes
# its own value. The acceptors accept both, `p2`'s `cancelled` first and then `p1`'s
# `confirmed`, since neither is below `1.p`. Step 3 of the argument,
# "one ballot, one value", is gone.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(found["duplicate-ballots"])

# %%
ax = px.viz.sequence_chart(found["duplicate-ballots"])

# %% [markdown]
# ## What we saw
#
# - A **ballot** `round.node` is unique to its proposer and compares with every other
#   ballot; a refused proposer retries in a higher round with its own id.
# - A **promise** reports the acceptor's last vote, and a proposer with a quorum of promises
#   proposes the value of the **highest-ballot** vote among them, or its own if none.
# - Quorum overlap plus that rule mean that once a value is chosen, every higher ballot
#   proposes it: the numbered argument.
# - **Chosen** is a fact about the history of votes, which may be known by nobody for a while;
#   **learned** is what a node knows. Proposers must act on what *may* have been chosen.
# - Break one rule (a proposer that ignores the reported vote, shared ballots) and the
#   explorer finds a short run that chooses both "confirmed" and "cancelled". The original
#   code's bare promises break the rule that a promise reports its acceptor's vote as soon as
#   a proposer retries with ballot 2.
#
# Next: [04 · Failures](04-failures.ipynb) throws lost messages, crashes, partitions and
# amnesia at these rules.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/03-competing-proposers.ipynb`;
# try first.
#
# **Exercise 1 — the value to propose.** `pick_value(promises, own)` gets a quorum of
# promises, each `(acceptor, accepted_ballot, accepted_value)` with `None, None` for an
# acceptor that has not voted, and the proposer's own value. It returns the value to propose
# in phase 2. Two things are at stake: the proposer must never overwrite a value that may
# already have been chosen, and its client's order should go through whenever nothing can
# have been. The check hands your function quorums in which the acceptors report different
# things. The starting version takes the first vote it finds: before you change it, find a
# quorum of promises for which that answer could undo a choice.

# %%
def pick_value(promises, own):
    for acceptor, ballot, value in promises:
        if value is not None:
            return value
    return own


px.exercises.check_pick_value(pick_value)

# %% [markdown]
# **Exercise 2 — foo and bar.** MIT's distributed systems course (6.824) asked this about
# *Paxos Made Simple* (lecture question, 2014 schedule; notes at
# http://css.csail.mit.edu/6.824/2014/notes/l05-paxos.txt). Acceptors A, B and C; A and B are
# also proposers. (1) A prepares proposal 1 and hears from A, B and C. (2) A sends accept(1,
# "foo") to A and C, both accept, and A crashes before its accept reaches B. (3) B prepares
# proposal 2 and hears from B and C. (4) B sends accept(2, "bar") to B and C and both accept,
# so B believes "bar" is chosen. How does Paxos prevent this, and what really happens? Here A,
# B, C are `a1`, `a2`, `a3`, the proposers on A and B are `p1` and `p2`, and proposal 2 is
# ballot `1.p2`, which is above `1.p1`. `px.exercises.foo_bar_scene()` returns the engine
# after step 2; try steps 3 and 4 on it, chart it, then write down your prediction in
# `foo_bar()`: the value B proposes in step 4, the acceptor whose promise decided that (or
# `None`), and the value chosen at the end. The check plays steps 3 and 4 on the engine.

# %%
def foo_bar():
    return {"B proposes": "bar", "because of": None, "chosen": "bar"}


px.exercises.check_foo_bar(foo_bar)

# %% [markdown]
# **Exercise 3 — what is chosen.** `chosen_values(votes, quorum)` gets every vote ever cast,
# each `(acceptor, ballot, value)` in the order they were cast, and the quorum size. It
# returns the set of values that are chosen. The starting version counts the votes for each
# value. Which histories does it get wrong, and why does "at one ballot" matter?

# %%
def chosen_values(votes, quorum):
    counts = {}
    for acceptor, ballot, value in votes:
        counts[value] = counts.get(value, 0) + 1
    return {value for value, n in counts.items() if n >= quorum}


px.exercises.check_chosen(chosen_values)

# %% [markdown]
# **Exercise 4 — after the choice.** `px.exercises.five_acceptor_scene()` returns a cluster of
# five acceptors in which `a1`, `a2` and `a3` have accepted "X" at ballot `5.p1`, so "X" is
# chosen. Earlier, `p3` collected promises for `1.p3` from `a3`, `a4` and `a5` and sent its
# accepts for "Y"; they are still in flight, and so are `p1`'s messages to `a4` and `a5`.
# "X" is chosen for good; does that mean no acceptor can accept "Y" any more? `accept_y(sim)`
# plays a schedule on that scene with `sim.deliver(kind, src, dst)`, `sim.drop(...)` and
# `sim.apply(action)`; the check plays it and passes once some acceptor has accepted "Y", and
# otherwise tells you what each acceptor and proposer did. The starting version has `p3` give
# up on its old ballot and ask the two acceptors that never voted. Once it passes: can "Y"
# ever be *chosen*?

# %%
def accept_y(sim):
    sim.apply(px.Timeout("p3"))  # p3 gives up on 1.p3 and prepares a new ballot
    for acceptor in ("a4", "a5"):
        sim.deliver("prepare", "p3", acceptor)
        sim.deliver("promise", acceptor, "p3")


px.exercises.check_accept_y(accept_y)
