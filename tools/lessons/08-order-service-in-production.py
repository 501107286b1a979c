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
# 1. Explain how a snapshot lets a replica drop its log prefix, and how a replica that was
#    away catches up from a snapshot and the rest of the log.
# 2. Judge a read as linearizable or not, and say when a leader may answer from its own copy.
# 3. Explain why a new configuration takes effect α slots after it is chosen.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# ## Part 1 · Snapshots and compaction
#
# Every command the shop ever took is a slot, and lesson 07's replicas keep every slot for
# ever. A year of orders is millions of slots on every machine, and a replica that was away
# must be sent every one it missed. Yet no replica reads an applied slot again: its effect is
# already in the order book.
#
# So a replica takes a **snapshot**: its order book at an applied slot *s*, which holds the
# order states *and* the client table that recognises a retried request (lesson 07's exactly
# once), together with *s* and a digest of the commands applied below *s*. Then it drops its
# log below *s*: **compaction**. `ReplicaCluster(5, snapshot_every=K)` makes every replica do
# it each time it has applied K more slots. Below, the same seeded workload runs twice, once
# without snapshots and once with a snapshot every 8 slots.

# %%
from paxos_lib.multipaxos import OrdersSimulation, ReplicaCluster
from paxos_lib.multipaxos.snapshot_scenes import lagging, transfer, week_away
from paxos_lib.multipaxos.snapshots import log_entries_held, snapshot_stats

for every in (0, 8):
    sim = OrdersSimulation(ReplicaCluster(5, snapshot_every=every), seed=SEED)
    result = sim.run_workload(orders=40, faults=px.Faults(drop=0.05, crash=0.01))
    stats = snapshot_stats(sim.world)
    print(f"snapshot every {every or 'never'}: {result.commands} commands in "
          f"{result.slots} slots; log entries held by the 5 replicas: "
          f"{stats['log_entries_held']}; agree: {result.agree}")

# %% [markdown]
# With snapshots the five replicas hold a handful of slots between them instead of every
# slot five times, and they still agree. Why is it safe to forget chosen slots?
#
# 1. A replica applies only slots it knows chosen, in order, so every slot below its applied
#    slot is chosen, and Paxos never changes a chosen slot. No later leader needs this
#    replica's vote there: any leader that proposes in such a slot proposes the chosen
#    command (lesson 03's rule, slot by slot).
# 2. It holds no vote there anyway: a vote is dropped as soon as its slot is known chosen.
# 3. Everything those commands did is in the snapshot's book, client table included, so a
#    retried request from before the snapshot is still recognised and not run again.
#
# What a replica must keep: its promise, its votes in the *open* slots (forgetting those is
# the amnesiac acceptor of lesson 04), the snapshot itself, and the log from the snapshot's
# slot on. All of it durable: a replica that restarts, restarts from its snapshot.

# %% [markdown]
# ### The warehouse replica comes back after a week
#
# The warehouse runs replica `r3`. It is down for a week while 30 commands, order 42's life
# among them, are chosen and applied by `r1` and `r2`, which snapshot every 4 slots; what was
# sent to `r3` meanwhile is lost. Then `r3` comes back with an empty log and asks the leader
# for everything from slot 0 (a `CatchUp`). But `r1` no longer holds slot 0.
#
# **Predict, then run.** What does `r3` receive before it has caught up?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "every slot it missed, one by one",
    "a snapshot, then the few slots after it",
    "a snapshot and nothing else",
    "nothing: it cannot catch up without the old slots",
])

# %% reveal
guess.recall()
sim = week_away(30, snapshot_every=4, seed=SEED)
back = len(sim.trace)  # the step at which r3 recovered
sim.settle()
got = transfer(sim, "r3", back)
r1, r2, r3 = sim.replicas()
print("delivered to r3 after it came back:", got)
print(f"r3 has applied {r3.applied} slots, holds {log_entries_held(r3.log)} log entries, "
      f"snapshot up to slot {r3.snapshot.slot}")
print("r3's order book is r1's:", r3.book == r1.book, "| order 42 on r3:", r3.book.as_dict()[42])
plain = week_away(30, snapshot_every=0, seed=SEED)
plain_back = len(plain.trace)
plain.settle()
print("the same week without snapshots:", transfer(plain, "r3", plain_back))
for verdict in sim.check():
    print(verdict)
if got["snapshots"] and got["entries"]:
    seen = "a snapshot, then the few slots after it"
elif got["snapshots"]:
    seen = "a snapshot and nothing else"
else:
    seen = "every slot it missed, one by one"
guess.reveal(seen)

# %% [markdown] reveal
# `r1` took its last snapshot at slot 28, so it cannot send slots 0 to 27. It answers the
# catch-up with a **state transfer**: an `InstallSnapshot` message holding its book at slot 28
# (order states and client table), then a `CatchUpReply` with the slots it still holds, 28
# and 29. `r3` installs the snapshot, so it has applied 28 slots without running one of them,
# and applies the last two as usual. Two log entries travel instead of 30: the cost of
# catching up is the size of the state, not the length of the history.
#
# Has `r3` then applied "the same history" as the others, if it never saw slots 0 to 27? Each
# replica keeps a running digest of the commands it applied, and a snapshot carries the
# digest of its prefix; the property `one-history` compares every replica's digest with the
# chosen commands up to its applied slot, so it holds across snapshots. `applied-once`
# checks that no replica ever applies a slot twice, and `snapshot-chosen` that every snapshot
# holds chosen slots only.

# %% [markdown]
# Step through the return below, from the moment `r3` recovers: the leader's heartbeat, the
# catch-up request, the snapshot and the tail. Under each replica its log is a row of slots;
# the slots a snapshot dropped read *compacted*. The chart after it shows the same steps, for
# a printed copy.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(sim.trace, at=back, value="create #99 (c99/1)")

# %%
ax = px.viz.sequence_chart(sim.trace, step=len(sim.trace), window=len(sim.trace) - back + 1)

# %% [markdown]
# ### The install rule
#
# A snapshot can arrive late: networks delay and repeat messages. What if a replica installed
# *every* snapshot it receives? The variant `stale-snapshot` does, and the explorer of lesson
# 06 searches every interleaving from a scene where `r1` and `r2` snapshotted at slot 2 and
# `r1` applied slot 2 as well (on the explorer's network every message sent can be delivered
# again):

# %%
start = lagging("stale-snapshot")
found = px.explore(start.cluster, sorted(start.world.proposed), start=start, max_ballot=1,
                   max_depth=4)
print(found.detail)
for step in found.counterexample.steps[len(start.trace):]:
    print("  ", step)

# %% [markdown]
# Two steps suffice. An old prepare from slot 0 reaches `r2`, which has compacted that slot, so
# it answers with its snapshot instead of a promise; `r1`, already at slot 3, installs it and
# goes back to slot 2, and will apply slot 2 a second time. The client table keeps the order
# book right (the second `pay #42` is a duplicate), but a replica that sends an email or charges
# a card when it applies a command would do it twice. A replica installs a snapshot only if it
# is *ahead* of its own applied slot. Exercise 1 asks you for the whole rule.

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
# - **Snapshots** (part 1): a replica snapshots its order book, client table included, at an
#   applied slot and drops the log below it; chosen, applied slots are never needed again,
#   but votes in open slots are. A replica that was away gets the snapshot and the few slots
#   after it (state transfer), not every slot it missed, and a replica installs only a
#   snapshot ahead of itself, or it applies slots twice.
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
# **Exercise 1 — install a snapshot.** `install_snapshot(replica, snapshot)` decides what a
# replica does with a snapshot a peer sent it. A replica is a dict: `"applied"` (how many
# slots, from slot 0, it has applied), `"log"` (`{slot: command}` for the chosen slots it
# holds, applied or not), `"orders"` (`{order id: status}`) and `"clients"` (lesson 07's
# client table, `{client: (request, reply)}`). A snapshot is a dict: `"slot"` (every slot
# below it is applied in it), `"orders"` and `"clients"` as they were after those slots.
# Return the replica as it is after receiving the snapshot. The starting version installs
# whatever it receives. What can go wrong?

# %%
def install_snapshot(replica, snapshot):
    return {
        "applied": snapshot["slot"],
        "log": {},
        "orders": dict(snapshot["orders"]),
        "clients": replica["clients"],
    }


px.exercises.check_snapshot_install(install_snapshot)

# %% [markdown]
# <!-- exercise 2 (reads): when is a lease read safe; cells follow this one. -->

# %% [markdown]
# <!-- exercise 3 (reconfiguration): pick alpha; cells follow this one. -->
