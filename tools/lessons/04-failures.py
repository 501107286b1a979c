# %% [markdown]
# # 04 · Failures: what the network and the machines can do
#
# Real networks lose, duplicate, delay and reorder messages; machines crash and come back; a
# broken link splits the cluster in two. This lesson throws each of these at Paxos while it
# decides the fate of order 42, and asks of each one: can it make Paxos choose both
# "confirmed" and "cancelled", or only slow it down?
#
# ## Learning goals
#
# 1. Show that lost, duplicated, reordered and delayed messages never break agreement; they only slow it down.
# 2. Tell crash-stop from crash-recover, and explain why an acceptor must write its promise and its vote to disk *before* it replies.
# 3. Predict which side of a partition can still choose a value, and explain why a slow node cannot be told from a dead one.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# ## Messages: lost, duplicated, reordered, delayed
#
# In `paxos_lib` the network is a bag of messages. Any message in the bag may be delivered
# next, so messages are reordered and delayed as a matter of course; the network may also
# drop a message or copy it. Paxos was designed for exactly this network, and every one of
# its rules compares a message's ballot with what the receiver itself has stored, never with
# the time or the order in which messages arrive:
#
# - A **lost** message looks, to everyone, like a very late one. The sender's retry timer
#   eventually makes it try again with a new ballot.
# - A **duplicate** gets the same answer twice: promising the ballot already promised, or
#   counting a vote already counted, changes nothing.
# - A **late** message carries an old ballot, and an acceptor that has since promised a
#   higher one refuses it.
#
# Here is all of it in one run. The network sits on `p1`'s *accept* messages while `p2` runs
# a whole ballot; one of `p2`'s *accept* messages is lost; one vote reaches the learner twice;
# and then `p1`'s late *accept* messages finally arrive.

# %%
sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=SEED)
sim.propose("p1", "confirmed")
for acceptor in ("a1", "a2", "a3"):
    sim.deliver("prepare", src="p1", dst=acceptor)
sim.deliver("promise", src="a1", dst="p1")
sim.deliver("promise", src="a2", dst="p1")
sim.propose("p2", "cancelled")
for acceptor in ("a2", "a3"):
    sim.deliver("prepare", src="p2", dst=acceptor)
    sim.deliver("promise", src=acceptor, dst="p2")
sim.drop("accept", src="p2", dst="a1")
for acceptor in ("a2", "a3"):
    sim.deliver("accept", src="p2", dst=acceptor)
sim.duplicate("accepted", src="a2", dst="l1")
sim.deliver("accepted", src="a2", dst="l1")
sim.deliver("accepted", src="a2", dst="l1")
for acceptor in ("a2", "a3", "a1"):
    sim.deliver("accept", src="p1", dst=acceptor)
print(sim.world)
print("chosen:", sorted(sim.chosen()))

# %%
ax = px.viz.sequence_chart(sim.trace)

# %% [markdown]
# `a2` and `a3` refused the late *accept* 1.p1 with a *nack*: they had promised 1.p2 since.
# `a1` accepted it, because it had promised nothing higher; but one vote out of three chooses
# nothing. Any later proposer's majority includes `a2` or `a3`, whose vote for "cancelled" at
# the higher ballot wins by lesson 03's rule. The learner saw `a2`'s vote twice and counted it
# once. Only "cancelled" is chosen.
#
# **Predict, then run.** Now let the seeded scheduler loose on 200 runs for each mix of
# faults below, with two proposers racing for "confirmed" and "cancelled". In the worst mix,
# nearly a third of the messages are lost and many others copied. In how many runs will both
# values be chosen?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["in none", "in a few (under 5% of the runs)", "in 5% of the runs or more"])

# %% reveal
guess.recall()
unsafe = runs = 0
mixes = {
    "no faults": px.Faults(),
    "drop 30%": px.Faults(drop=0.3),
    "duplicate 30%": px.Faults(duplicate=0.3),
    "drop 30%, duplicate 30%": px.Faults(drop=0.3, duplicate=0.3),
}
print(f"{'faults':24} {'safe':>8} {'learned':>8} {'median steps':>13}   chosen")
for name, faults in mixes.items():
    safe = learned = 0
    steps, outcomes = [], {"confirmed": 0, "cancelled": 0}
    for i in range(200):
        sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=SEED + i)
        sim.propose("p1", "confirmed")
        sim.propose("p2", "cancelled")
        run = sim.run(max_steps=500, faults=faults)
        safe += run.ok
        learned += run.end == "learned"
        steps.append(run.steps)
        for value in run.chosen:
            outcomes[value] += 1
    median = sorted(steps)[len(steps) // 2]
    print(f"{name:24} {safe:>4}/200 {learned:>4}/200 {median:>13}   {outcomes}")
    unsafe += 200 - safe
    runs += 200
print(f"runs where both values were chosen: {unsafe} of {runs}")
guess.reveal("in none" if unsafe == 0 else "in a few (under 5% of the runs)"
             if unsafe < 0.05 * runs else "in 5% of the runs or more")

# %% [markdown] reveal
# Not one. Every run is safe; faults only make runs longer (and a few do not finish within
# 500 steps). Which value wins depends on the timing (and on the ballots: at equal rounds
# 1.p2 outranks 1.p1, which is why "cancelled" wins most races), and that is fine: Paxos
# promises that *one* value is chosen, not which. Here is one of the faulty runs: a lost
# message ends in a cross, and a diamond marks a copy the network made.

# %%
sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=SEED)
sim.propose("p1", "confirmed")
sim.propose("p2", "cancelled")
run = sim.run(max_steps=500, faults=mixes["drop 30%, duplicate 30%"])
print(f"{run.steps} steps after the two proposals: chosen {sorted(run.chosen)}, "
      f"learned {run.learned}")
ax = px.viz.sequence_chart(sim.trace)

# %% [markdown]
# Random runs are evidence, not proof: a few hundred runs cover a tiny corner of all possible
# schedules. Lesson 06 checks every schedule of a small cluster.

# %% [markdown]
# ## Crashes: stop, or stop and come back
#
# Two models of a crash are common:
#
# - **Crash-stop**: the machine halts and never returns. That is lesson 02's model: Paxos
#   keeps going as long as a majority of acceptors stays up.
# - **Crash-recover**: the machine reboots and runs again. Its memory is gone; only what it
#   wrote to disk survives.
#
# Crash-recover is what real machines do, and it is where care is needed. Each role in
# `paxos_lib` says which of its fields are *durable*, written to disk and kept across a crash:

# %%
for role in (px.Proposer, px.Acceptor, px.Learner):
    print(f"{role.ROLE:9} keeps on disk: {', '.join(role.DURABLE)}")

# %% [markdown]
# An acceptor keeps *everything*: its promise and its vote. A proposer keeps only the highest
# ballot round it used, so it never reuses a ballot; it may forget its value and its
# promises, because the client asks again and a fresh ballot rebuilds the rest. A learner
# keeps what it learned.
#
# ## Amnesia: the acceptor that forgets
#
# The `amnesiac-acceptor` variant changes that one rule: an acceptor that crashes comes back
# with an empty disk, as if its promise and its vote had only ever been in memory.
#
# **Predict, then run.** `p1` gets "confirmed" chosen by `a1` and `a2`. Then `a2` crashes and
# restarts. `p2` wants "cancelled" and asks `a2` and `a3` for promises. With durable acceptors
# (`classic`), and with amnesiac ones, what does `p2` propose, and what ends up chosen?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "in both: p2 proposes 'confirmed', and only 'confirmed' is chosen",
    "durable: only 'confirmed' is chosen; amnesiac: p2 proposes 'cancelled', both are chosen",
    "in both: p2 proposes 'cancelled', and both values are chosen",
])

# %% reveal
guess.recall()
two_chosen = {}
for variant in ("classic", "amnesiac-acceptor"):
    sim = px.Simulation(px.Cluster(proposers=2, acceptors=3), seed=SEED, variant=variant)
    sim.propose("p1", "confirmed")
    for acceptor in ("a1", "a2"):
        sim.deliver("prepare", src="p1", dst=acceptor)
        sim.deliver("promise", src=acceptor, dst="p1")
    for acceptor in ("a1", "a2"):
        sim.deliver("accept", src="p1", dst=acceptor)
    sim.apply(px.Crash("a2"))
    sim.apply(px.Recover("a2"))
    a2 = sim.world.node("a2")
    print(f"{variant}: after its restart a2 remembers promise {a2.promised}, "
          f"vote {a2.accepted_value!r} at {a2.accepted_ballot}")
    sim.propose("p2", "cancelled")
    for acceptor in ("a2", "a3"):
        sim.deliver("prepare", src="p2", dst=acceptor)
        sim.deliver("promise", src=acceptor, dst="p2")
    print(f"{variant}: p2 proposes {sim.world.node('p2').proposal!r}")
    for acceptor in ("a2", "a3"):
        sim.deliver("accept", src="p2", dst=acceptor)
    for acceptor in ("a2", "a2", "a3"):  # a2 has voted twice: at 1.p1, then at 1.p2
        sim.deliver("accepted", src=acceptor, dst="l1")
    print(f"{variant}: chosen {sorted(sim.chosen())}, l1 learned {sim.learned()['l1']!r}")
    print(f"{variant}: {sim.check()[0]}")
    print()
    two_chosen[variant] = len(sim.chosen()) == 2
guess.reveal({
    (False, False): "in both: p2 proposes 'confirmed', and only 'confirmed' is chosen",
    (False, True): "durable: only 'confirmed' is chosen; amnesiac: p2 proposes 'cancelled', "
                   "both are chosen",
    (True, True): "in both: p2 proposes 'cancelled', and both values are chosen",
}[two_chosen["classic"], two_chosen["amnesiac-acceptor"]])

# %% reveal
ax = px.viz.sequence_chart(sim.trace)

# %% [markdown] reveal
# The chart above is the amnesiac run. With durable acceptors, `a2`'s promise tells `p2` that
# it voted for "confirmed" at 1.p1, and `p2` proposes "confirmed" instead of its own value
# (lesson 03's rule): order 42 stays confirmed. The amnesiac `a2` answers that it voted for
# nothing. `p2` sees no vote in its majority, proposes "cancelled", and gets it chosen: two
# values for one order. The learner heard from `a2` and `a3` and says "cancelled", although
# "confirmed" was chosen first; one that heard from `a1` and `a2` would say "confirmed". The
# overlap between the majorities `{a1, a2}` and `{a2, a3}` was there; it was `a2`'s memory
# that was missing.

# %% [markdown]
# The stepper below holds the same run, at its end: walk
# back and forth with Undo, Step or the timeline, then flip the acceptors' storage to
# *durable*. The stepper replays the same steps with `a2`'s disk intact, and stops at the first
# one that can no longer happen: `a2`'s promise to `p2` now reports its vote, so it is a
# different message.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(sim)

# %% [markdown]
# ### Why write to disk *before* replying
#
# A promise and a vote are commitments to other nodes. If `a2` sent its *accepted* and then
# crashed before writing the vote to disk, the vote would count towards "confirmed" being
# chosen, while the restarted `a2` would not know it had cast it: amnesia again. The same goes
# for a promise: a proposer goes ahead on the strength of it, so the restarted acceptor must
# still refuse older ballots. So an acceptor writes first (and waits for the disk to confirm
# the write) and replies second.
#
# NOTE: `paxos_lib` applies an acceptor's new state and its replies in one atomic step, which
# models exactly "write, then reply"; the `amnesiac-acceptor` variant models losing the disk.
# Exercise 1 below asks you which fields must be written, and checks your answer by crashing
# an acceptor at the worst moments.

# %% [markdown]
# ## Partitions: a cluster split in two
#
# A partition is a network failure that cuts the nodes into groups that cannot reach each
# other, while every machine keeps running. Below, the warehouse's proposer `p1`, which wants
# order 42 "confirmed", is cut off with acceptor `a1` and learner `l2`; customer service's
# `p2`, which wants it "cancelled", is on the other side with `a2`, `a3` and learner `l1`.

# %%
sim = px.Simulation(px.Cluster(proposers=2, acceptors=3, learners=2), seed=SEED)
sim.apply(px.Partition([["p1", "a1", "l2"], ["p2", "a2", "a3", "l1"]]))
sim.propose("p1", "confirmed")
sim.propose("p2", "cancelled")
run = sim.run(max_steps=18, faults=px.Faults(heal=0.0))
print(f"during the partition ({run.steps} steps): chosen {sorted(run.chosen)}, "
      f"learned {run.learned}")
print(sim.world)

# %% [markdown]
# The side with two of the three acceptors chose "cancelled", and its learner learned it.
# `p1`'s side holds one acceptor, a minority: `p1` collects one promise per ballot where it
# needs two, times out, and climbs to ever higher ballots without choosing anything. Its
# learner `l2` knows nothing.
#
# **Predict, then run.** The link is repaired. `p1` still wants "confirmed", and it now holds
# the highest ballot of all. What will it propose?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict(["'confirmed', its own client's value", "'cancelled'"])

# %% reveal
guess.recall()
sim.apply(px.Heal())
healed_at = len(sim.trace)
while sim.world.node("p1").phase != "decided":
    sim.apply(sim.next_random_action())
print(f"after healing ({len(sim.trace) - healed_at} more steps): chosen {sorted(sim.chosen())}, "
      f"learned {sim.learned()}")
p1 = sim.world.node("p1")
print(f"p1: {p1.phase} at ballot {p1.ballot}, wanted {p1.value!r}, proposed {p1.proposal!r}")
guess.reveal("'confirmed', its own client's value" if p1.proposal == "confirmed"
             else "'cancelled'")

# %% reveal
ax = px.viz.sequence_chart(sim.trace)

# %% [markdown] reveal
# "cancelled". Once it can reach `a2` and `a3`, `p1`'s higher ballot wins their promises,
# and those promises report the vote for "cancelled": `p1` must propose it. The minority
# side could not decide while cut off, and after healing it goes along with what the
# majority chose. Old messages that waited in the network during the partition arrive late
# and are refused, as in the first section. Exercise 2 asks you to predict, for any split,
# which side can still choose.

# %% [markdown]
# ## Slow, or dead?
#
# `p1` has sent its *prepare* to three acceptors and heard back from one. In one world below,
# `a2` and `a3` have crashed; in the other, they are fine and the network is merely slow.

# %%
dead = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=SEED)
slow = px.Simulation(px.Cluster(proposers=1, acceptors=3), seed=SEED)
for sim in (dead, slow):
    sim.propose("p1", "confirmed")
    sim.deliver("prepare", dst="a1")
    sim.deliver("promise", src="a1")
dead.apply(px.Crash("a2"))
dead.apply(px.Crash("a3"))
print("p1 when a2 and a3 are dead:", dead.world.node("p1"))
print("p1 when they are slow:     ", slow.world.node("p1"))
print("can p1 tell the difference?", dead.world.node("p1") != slow.world.node("p1"))

# %% [markdown]
# It cannot: everything `p1` has received is the same in both worlds. A node learns about
# others only through messages, and a message that has not arrived yet looks exactly like
# one that never will. So `p1` can only *suspect* a failure, after a timeout, and it must
# act safely whichever is true. Paxos does: a timeout only makes the proposer retry with a
# higher ballot, and safety never depended on timing. The cost is on the side of progress:
# a proposer that keeps suspecting others wrongly, or two proposers that keep interrupting
# each other, may never finish. That is lesson 05.

# %% [markdown]
# ## What we saw
#
# - **Lost, duplicated, reordered and delayed** messages never break agreement: every rule
#   compares ballots with what the receiver has stored, so late or repeated messages are
#   refused or change nothing. Faults only make runs longer.
# - **Crash-stop** needs a majority to stay up; **crash-recover** also needs each acceptor to
#   keep its promise and its vote on disk, written *before* it replies.
# - An **amnesiac** acceptor breaks the chain that carries a chosen value into later ballots:
#   two values get chosen.
# - In a **partition**, only a side with a majority of the acceptors (and a proposer) can
#   choose; after healing, the other side adopts what was chosen.
# - A **slow** node cannot be told from a **dead** one, so Paxos uses timeouts for progress
#   only, never for safety.
#
# Next: [05 · Liveness](05-liveness.ipynb) looks at what can stop Paxos from *finishing*, and
# how real systems make it finish anyway.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/04-failures.ipynb`; try first.
#
# **Exercise 1 — what each reply waits for.** The table above says *what* an acceptor keeps
# on disk. Writing to disk is the slowest step it takes, though, so a real acceptor writes,
# before each reply, only what that message changed. `writes(message, before, after)` gets a
# message acceptor `a2` just handled (`message.KIND` is `"prepare"` or `"accept"`) and `a2`'s
# state before and after it, and returns the set of fields (`"promised"`,
# `"accepted_ballot"`, `"accepted_value"`) that `a2` must write before it replies. The check
# walks one history on the real engine in which `a2` sees prepares and accepts of several
# kinds, and judges your answer for each. The starting version writes the promise for a
# prepare and the vote for an accept. Which messages does it get wrong, and what would a crash
# right after the reply bring back?

# %%
def writes(message, before, after):
    if message.KIND == "prepare":
        return {"promised"}
    return {"accepted_ballot", "accepted_value"}


px.exercises.check_writes(writes)

# %% [markdown]
# **Exercise 2 — which side can choose?** `can_choose(cluster, side)` gets a `px.Cluster`
# (it has `proposer_ids`, `acceptor_ids` and `quorum_size`) and `side`, the set of node ids
# that a partition has cut off from all the others. It returns `True` if the nodes on that
# side alone can get a value chosen. The check splits real clusters and runs them. The
# starting version asks for a majority of all the nodes.

# %%
def can_choose(cluster, side):
    return len(side) > len(cluster.node_ids) / 2


px.exercises.check_can_choose(can_choose)
