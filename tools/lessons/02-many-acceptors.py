# %% [markdown]
# # 02 · Many acceptors: majorities that always overlap
#
# Lesson 01's single acceptor was a single point of failure: while it was down, order 42 could
# not be decided at all. This lesson spreads the vote over several acceptors and counts a
# value as chosen once a *majority* of them accept it, which keeps the order safe and lets
# the shop keep working while some machines are down.
#
# ## Learning goals
#
# 1. Explain why a value is chosen once a majority of acceptors accept it, and why any two majorities share an acceptor.
# 2. Follow *prepare*, *promise*, *accept* and *accepted* between one proposer and three, then five, acceptors.
# 3. Show that 2f+1 acceptors survive f crashes, and that a minority can never decide.

# %%
from itertools import combinations

import paxos_lib as px

SEED = 0

# %% [markdown]
# ## How many votes are enough?
#
# A proposer now asks several acceptors to vote. When does a value count as *chosen*? The
# two obvious answers both fail:
#
# - **Every acceptor must vote.** Then one crashed acceptor stops everything, and we are back
#   to lesson 01's single point of failure.
# - **Any one vote will do.** Then two proposers that ask two different acceptors get two
#   different values chosen: "confirmed" and "cancelled" at once.
#
# Paxos waits for a **quorum**, and the usual quorum is a **majority**: more than half of the
# acceptors. What makes a majority right is one fact: *any two majorities of the same
# acceptors share at least one acceptor*. Two groups that each hold more than half cannot fit
# side by side without overlapping. Here are all the majorities of three acceptors, and a
# check of every pair.

# %%
acceptors = px.Cluster(acceptors=3).acceptor_ids
majorities = [set(q) for size in (2, 3) for q in combinations(acceptors, size)]
for q in majorities:
    print(sorted(q))
print("every two majorities share an acceptor:", all(q & r for q in majorities for r in majorities))

# %% [markdown]
# Why does the overlap matter? A value is chosen by a majority of votes at one ballot, and any
# proposer that comes later must first collect promises from a majority. The overlap guarantees that at
# least one acceptor in the later majority voted in the earlier one, so the later proposer
# can find out what was chosen. (Lesson 03 shows how it finds out and what it does then.)
#
# **Predict, then run.** Take four acceptors and call *half* of them, two, a quorum: that is
# the `minority-quorum` variant. Proposer `p1` asks `a1` and `a2` to accept "confirmed";
# proposer `p2` asks `a3` and `a4` to accept "cancelled". What is chosen?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["only 'confirmed'", "only 'cancelled'", "both", "nothing"])

# %% reveal
guess.recall()
sim = px.Simulation(px.Cluster(proposers=2, acceptors=4), seed=SEED, variant="minority-quorum")
sim.propose("p1", "confirmed")
sim.propose("p2", "cancelled")
for proposer, pair in (("p1", ("a1", "a2")), ("p2", ("a3", "a4"))):
    for acceptor in pair:
        sim.deliver("prepare", src=proposer, dst=acceptor)
        sim.deliver("promise", src=acceptor, dst=proposer)
    for acceptor in pair:
        sim.deliver("accept", src=proposer, dst=acceptor)
for acceptor in ("a1", "a2", "a3", "a4"):
    sim.deliver("accepted", src=acceptor, dst="l1")
print("chosen:", sorted(sim.chosen()))
print(sim.check()[0])
print("l1 learned:", sim.learned()["l1"])
chosen = sorted(sim.chosen())
guess.reveal("both" if len(chosen) == 2 else f"only {chosen[0]!r}" if chosen else "nothing")

# %% reveal
ax = px.viz.sequence_chart(sim.trace)

# %% [markdown] reveal
# Both values were chosen. The quorums `{a1, a2}` and `{a3, a4}` share nobody, so neither
# proposer could ever hear of the other's value. The learner heard `a1` and `a2` first and
# learned "confirmed"; a learner that heard `a3` and `a4` first would say "cancelled". With a true majority of four acceptors,
# three, any two quorums share at least two acceptors (3 + 3 − 4 = 2), and one would do.

# %% [markdown]
# ## One proposer, three acceptors
#
# With three acceptors a majority is two. The proposer runs the two phases of lesson 01, now
# as messages to every acceptor:
#
# | message | phase | meaning |
# |---|---|---|
# | *prepare* `1.p1` | 1a | "will you ignore every ballot below 1.p1?" |
# | *promise* `1.p1` | 1b | "yes; and here is the last value I accepted, if any" |
# | *accept* `1.p1 'confirmed'` | 2a | "please accept 'confirmed' at ballot 1.p1" |
# | *accepted* `1.p1 'confirmed'` | 2b | "I did" (sent to the proposer and to the learner) |
#
# A ballot such as `1.p1` is a round number and the proposer's id, so no two proposers ever
# use the same one. The proposer waits for promises from a majority before it sends any
# *accept*, and the value is chosen the moment a majority has accepted it.
#
# In the stepper below, `p1` has just been asked for "confirmed" and its three *prepare*
# messages are in flight. Deliver them in any order, drop one, or crash an acceptor, and
# watch `p1` move on to phase 2 after its second promise, without waiting for the third.
# (A printed copy cannot show the stepper; the chart after it plays the same scene to the
# end.)

# %% tags=["nbval-ignore-output"]
three = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=SEED)
three.propose("p1", "confirmed")
px.viz.ClusterView(three)

# %%
played = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=SEED)
played.propose("p1", "confirmed")
played.run(max_steps=50)
print(played.trace.numbered())
ax = px.viz.sequence_chart(played.trace)

# %% [markdown]
# The seeded scheduler delivered the messages in a random order, and `p1` went on after the
# promises of `a2` and `a3`; the learner `l1` learned "confirmed" from the first two votes it
# received. Let us now take the same steps by hand, stopping to look.

# %% [markdown]
# ## The same run, one message at a time

# %%
sim = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=SEED)
sim.propose("p1", "confirmed")
for acceptor in ("a1", "a2", "a3"):
    sim.deliver("prepare", dst=acceptor)
sim.deliver("promise", src="a1")
print("after one promise: ", sim.world.node("p1").phase)
sim.deliver("promise", src="a2")
print("after two promises:", sim.world.node("p1").phase)
print("in flight:", *sim.world.inflight, sep="\n  ")

# %% [markdown]
# Two promises are a majority, so `p1` sends *accept* to all three acceptors and ignores
# `a3`'s promise when it comes.
#
# **Predict, then run.** `a1` and `a2` now accept "confirmed"; `a3` has not, and no vote has
# reached the learner. Is "confirmed" chosen? Has `l1` learned it?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "chosen, and l1 has learned it",
    "chosen, but l1 has not learned it",
    "not chosen yet, and l1 has not learned it",
])

# %% reveal
guess.recall()
sim.deliver("accept", dst="a1")
sim.deliver("accept", dst="a2")
print("chosen: ", sorted(sim.chosen()))
print("learned:", sim.learned())
print(sim.world)
is_chosen = "confirmed" in sim.chosen()
has_learned = sim.learned()["l1"] == "confirmed"
guess.reveal(("chosen, " if is_chosen else "not chosen yet, ")
             + ("and l1 has learned it" if has_learned
                else "but l1 has not learned it" if is_chosen else "and l1 has not learned it"))

# %% [markdown] reveal
# "confirmed" is **chosen**: a majority accepted it at one ballot, and from this moment no
# other value can ever be chosen, whatever happens next (as long as acceptors keep what they
# stored: lesson 04 shows what happens when one forgets). But nobody *knows* it yet: `l1` has
# received no vote, and `a3` still accepts nothing. Being chosen is a fact about the whole
# system; having **learned** is what one node knows. The learner learns once it has seen
# votes from a majority of the acceptors *at the same ballot* (or hears from the proposer,
# which counts the votes too). Votes at different ballots do not add up: lesson 03 shows why.

# %%
sim.deliver("accepted", src="a1", dst="l1")
sim.deliver("accepted", src="a2", dst="l1")
print("learned:", sim.learned())

# %% [markdown]
# ## Five acceptors
#
# With five acceptors a majority is three: `p1` needs three promises before phase 2 and three
# votes before "confirmed" is chosen. Step the scene yourself below; the chart after it plays
# it to the end.

# %% tags=["nbval-ignore-output"]
five = px.Simulation(px.Cluster(proposers=1, acceptors=5), seed=SEED)
five.propose("p1", "confirmed")
px.viz.ClusterView(five)

# %%
played = px.Simulation(px.Cluster(proposers=1, acceptors=5), seed=SEED)
played.propose("p1", "confirmed")
played.run(max_steps=80)
ax = px.viz.sequence_chart(played.trace)

# %% [markdown]
# ## How many crashes can it survive?
#
# **Predict, then run.** Two of the five acceptors crash for good before `p1` starts. Is
# "confirmed" still chosen? And if three crash?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "chosen with 2 crashed, and with 3 crashed",
    "chosen with 2 crashed, not with 3",
    "chosen in neither case",
])

# %% reveal
guess.recall()
survived = []
for crashed in (2, 3):
    sim = px.Simulation(px.Cluster(proposers=1, acceptors=5), seed=SEED)
    for acceptor in sim.cluster.acceptor_ids[:crashed]:
        sim.apply(px.Crash(acceptor))
    sim.propose("p1", "confirmed")
    run = sim.run(max_steps=100, faults=px.Faults(recover=0.0))
    print(f"{crashed} crashed: after {run.steps} steps chosen {sorted(run.chosen)}, "
          f"p1 at ballot {sim.world.node('p1').ballot}")
    survived.append(bool(run.chosen))
guess.reveal({(True, True): "chosen with 2 crashed, and with 3 crashed",
              (True, False): "chosen with 2 crashed, not with 3"}.get(tuple(survived),
                                                                      "chosen in neither case"))

# %% [markdown] reveal
# With two crashed, the three survivors are a majority and the run ends as usual. With three
# crashed, the two survivors are a **minority**: every ballot `p1` tries collects two promises
# where it needs three, it times out and tries the next ballot, and nothing is ever chosen.
#
# That refusal is deliberate. A minority that decided on its own could decide differently
# from the majority, which might be alive on the other side of a broken network link (lesson
# 04). Paxos gives up *progress* while a majority is missing, never *safety*; and as soon as
# enough acceptors come back, it goes on.

# %% [markdown]
# In general, a cluster of n acceptors has quorums of ⌊n/2⌋ + 1 and keeps working while the
# rest, n − (⌊n/2⌋ + 1), are down:

# %%
for n in range(1, 8):
    cluster = px.Cluster(acceptors=n)
    print(f"{n} acceptors: quorum {cluster.majority}, survives {n - cluster.majority} crash(es)")

# %% [markdown]
# To survive f crashes you need 2f+1 acceptors. An even number buys nothing: four acceptors
# survive one crash, like three, and six survive two, like five, while every extra machine is
# one more to pay for. That is why real deployments run three or five.

# %% [markdown]
# ## What we saw
#
# - A value is **chosen** when a **majority** of acceptors accept it at one ballot; any two
#   majorities share an acceptor, which is what lets a later proposer find out.
# - Quorums of only half can be disjoint, and then two values get chosen.
# - The proposer needs promises from a majority before phase 2, and votes from a majority at
#   its ballot to finish; it never waits for the slowest acceptors.
# - **Chosen** is a fact about the system; **learned** is what one node knows, later.
# - 2f+1 acceptors survive f crashes; a minority can never decide, so it waits.
#
# Next: [03 · Competing proposers](03-competing-proposers.ipynb) lets a second proposer in,
# and shows what a promise must carry so that the overlap does its job.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/02-many-acceptors.ipynb`; try
# first.
#
# **Exercise 1 — a learner that counts.** `learn(accepted, n)` gets the *accepted* messages
# one learner has received so far, in the order they arrived, each `(acceptor, ballot,
# value)`, from a cluster of `n` acceptors. It returns the value the learner has learned, or
# `None` if it cannot know yet. The network may deliver a message twice, and a proposer that
# timed out may have retried at a higher ballot. The check feeds the same messages to the
# course's own learner and compares. The starting version counts the messages for each value.
# Which deliveries fool it?

# %%
def learn(accepted, n):
    counts = {}
    for acceptor, ballot, value in accepted:
        counts[value] = counts.get(value, 0) + 1
        if counts[value] > n / 2:
            return value
    return None


px.exercises.check_learn(learn)

# %% [markdown]
# **Exercise 2 — what a quorum size buys.** The table above is for majorities. Suppose a
# cluster of `n` acceptors waits for `quorum` of them, whatever that number is.
# `tradeoff(n, quorum)` returns a pair `(crashes, safe)`: how many acceptors may crash while a
# quorum can still be formed, and whether every two quorums are sure to share an acceptor
# (`True` or `False`). The starting version answers with the majority's figures whatever the
# quorum. What does a bigger quorum cost, and what does a smaller one risk?

# %%
def tradeoff(n, quorum):
    return (n - 1) // 2, True


px.exercises.check_quorum_tradeoff(tradeoff)
