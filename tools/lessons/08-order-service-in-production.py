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

# %% [markdown]
# ### What a correct read means
#
# A customer's order page asks "what state is order 42 in?". The question is not only *which*
# replica answers, but what answer would be *right* when other clients change the order at the
# same time. A client sees an operation from two moments: it *invokes* it (sends the request)
# and, later, it gets the *response*. Somewhere in between, the operation did its work.
#
# A history of operations is **linearizable** when each operation can be given one instant,
# between its invocation and its response, at which it takes effect, so that running the
# operations one at a time in the order of those instants, on one order book, gives every
# result the clients saw. Two rules follow:
#
# - **real-time order:** if A's response came before B's invocation, A takes effect before B;
# - operations whose intervals overlap are *concurrent*: either order is allowed.
#
# A checker searches for such instants (the Wing–Gong search). Here is a calm afternoon for
# order 42: the customer `c42` creates, confirms, then cancels it; the order page `page` reads it
# twice, once while the cancel is on its way.

# %%
Op = px.Operation
calm = [
    Op("c42", "create #42 (c42/1)", "applied, now PENDING", 0, 3),
    Op("c42", "confirm #42 (c42/2)", "applied, now CONFIRMED", 4, 8),
    Op("c42", "cancel #42 (c42/3)", "applied, now CANCELLED", 12, 20),
    Op("page", "read #42", "CONFIRMED", 14, 18),
    Op("page", "read #42", "CANCELLED", 22, 25),
]
verdict = px.check_linearizable(calm)
print("linearizable:", verdict.linearizable)
for op in verdict.order:
    print("  ", op)
ax = px.viz.history_chart(calm, verdict)

# %% [markdown]
# Each bar runs from a request to its reply; the ◆ is the instant the checker chose for it. The
# first read overlaps the cancel, so it may take effect before it and see `CONFIRMED`: the
# witness order above puts it there. The second read starts after the cancel's reply, so it
# must come after the cancel.
#
# **Predict, then run.** Change one thing: the page's second read, which starts at step 22
# after the cancel was answered at step 20, is answered by a replica that has not applied the
# cancel yet, and returns `CONFIRMED`. Is the history still linearizable, and if not, which
# operations will the checker name as the shortest counterexample?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "linearizable",
    "not linearizable: the cancel and the late read",
    "not linearizable: the confirm, the cancel and the late read",
    "not linearizable: all five operations",
])

# %% reveal
guess.recall()
stale = [*calm[:4], Op("page", "read #42", "CONFIRMED", 22, 25)]
verdict = px.check_linearizable(stale)
print("linearizable:", verdict.linearizable)
print("shortest counterexample:", len(verdict.violation or ()), "operations")
for op in verdict.violation or ():
    print(f"  {op.command!r} by {op.client}: sent at step {op.invoked}, answered at step "
          f"{op.responded} with {op.result!r}")
blamed = tuple(op.command for op in verdict.violation or ())
guess.reveal("linearizable" if verdict.linearizable else {
    ("cancel #42 (c42/3)", "read #42"): "not linearizable: the cancel and the late read",
    ("confirm #42 (c42/2)", "cancel #42 (c42/3)", "read #42"):
        "not linearizable: the confirm, the cancel and the late read",
}.get(blamed, "not linearizable: all five operations"))
ax = px.viz.history_chart(stale, verdict)

# %% [markdown] reveal
# Not linearizable, and the checker names just 2<!--out--> operations: the cancel, answered at
# step 20<!--out-->, and the read that started at step 22<!--out-->. Real-time order puts the
# cancel first; after it the order is `CANCELLED`, a final state, so no instant inside the read
# can show `CONFIRMED`. The create and the confirm are not needed for the argument: forget their
# replies, let them take effect whenever they like after they were sent (or never), and still
# no order works. That is what *shortest* means here: the fewest operations whose recorded
# results already contradict each other. The chart draws them in red, with the checker's
# sentence as its title. This is exactly the customer's complaint: "my page said confirmed
# after I cancelled". The rest of this part asks which ways of answering reads can produce it.

# %% [markdown]
# ### Clients that hear their replies
#
# In lesson 07 a client counted a command done as soon as *some* replica had applied it. A
# real client knows only what it hears. From now on clients are nodes of the cluster, like the
# replicas: client `c1` (the customer) sends its request to one replica and waits. The replica
# it asked owes it an answer; when that replica applies the command it sends a *reply* with
# the result. A client that hears nothing before its timer fires sends the *same* request (same
# request id) to *another* replica, which answers at once if it has applied it already. Each
# client records when it sent each request and when the reply came, in engine steps: exactly
# the history the checker above judges. Every run is judged.
#
# Reads can be answered three ways, and a cluster is built with one of them:
#
# - `any`: whichever replica gets the read answers from its own copy of the order book;
# - `lease`: only the leader answers, from its copy, while it holds a *lease*;
# - `log`: the read takes a slot in the log like any command.
#
# Here is the afternoon that went wrong. Three replicas, two clients. The customer `c1` creates
# and confirms order 42. Then the network splits: the old leader `r1`, and the shop page's
# client `c2`, are cut off from `r2`, `r3` and the customer. The customer cancels order 42; on
# the majority side a replica takes over with a higher ballot, the cancel is chosen, and the
# customer hears "cancelled". `r1` knows none of this.

# %%
from paxos_lib.multipaxos.clients import SCENE_READ, partition_scene, run_clients, safe_margin

naive = partition_scene("any", seed=9)
for op in naive.history():
    print(op)
print("leader of the majority:", naive.leader(), "| r1 still thinks it leads:",
      naive.world.node("r1").is_leader)

# %% [markdown]
# **Predict, then run.** Reads are answered by `any` replica. The shop page `c2` now reads
# order 42; the only replica it can reach is `r1`. The explorer tries every interleaving from
# here. What is the worst the page can show?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "CANCELLED, like the customer was told",
    "CONFIRMED, although the cancel was answered first",
    "nothing: r1 cannot answer while it is cut off",
])

# %% reveal
guess.recall()
search = px.explore(naive.cluster, {"c2": SCENE_READ}, start=naive, max_ballot=3,
                    max_copies=1, properties=["linearizable"], max_depth=6)
print(search.end, "after", search.states, "states; counterexample of",
      len(search.counterexample) - len(naive.trace), "steps after the cancel was answered:")
for step in search.counterexample.steps[len(naive.trace):]:
    print("  ", step)
found = px.multipaxos.replay_orders(search.counterexample)
shown = found.history()[-1].result
print(search.detail)
guess.reveal({"CONFIRMED": "CONFIRMED, although the cancel was answered first",
              "CANCELLED": "CANCELLED, like the customer was told"}.get(
                  shown, "nothing: r1 cannot answer while it is cut off"))

# %% [markdown] reveal
# `CONFIRMED`, 3<!--out--> steps after the customer heard "cancelled": the page asks `r1`, and
# `r1` answers from its own copy, where the cancel never arrived. The customer was told
# "cancelled" at one step, the page says "confirmed" at a later one: no single instant per
# operation explains both, and the checker names exactly those two operations. Nothing in Paxos is broken here: the log is
# fine, every replica will agree once the split heals. The *read* skipped the protocol.
#
# Step through it below: the view opens at the split. Press Step ▶ to watch the customer's
# cancel go to the majority side, a new leader take over and answer it, then the page's
# request reach `r1` and the stale answer come back; or try other orders yourself. The
# `linearizable` verdict turns red when the page's reply arrives. The chart after it shows
# the last steps for a printed copy.

# %% tags=["nbval-ignore-output"]
split = next(i for i, a in enumerate(search.counterexample.steps) if isinstance(a, px.Partition))
px.viz.ClusterView(search.counterexample, at=split, value=SCENE_READ)

# %%
ax = px.viz.sequence_chart(search.counterexample, window=16)

# %% [markdown]
# ### Leases: the leader answers, while nobody else can lead
#
# Only a replica that is sure no other leader exists may answer from its copy. A *lease* buys
# that certainty for a while. The leader asks every replica for a lease at a moment `start` on
# its own clock. A replica that grants it promises: until my own clock has run `lease` units, I
# accept no other leader and do not start phase 1 myself. With grants from a quorum, no other
# leader can be elected while the lease lasts (a candidate needs a promise from one of them),
# so the leader's copy holds every command chosen so far, and it may answer reads.
#
# The catch is *whose* clock. Clocks drift: each runs at a rate within 1 ± `drift` of real
# time. The leader's may be slow while a follower's is fast, so the follower counts out its
# `lease` units sooner, in real time, than the leader thinks. So the leader stops a `margin`
# early: it answers only while its clock is below `start + lease - margin`. Here `r1` runs at
# half speed and the others at one and a half, the worst drift of 0.5.

# %%
for margin in (safe_margin(20, 0.5), 0):
    story = partition_scene("lease", margin=margin, seed=9)
    search = px.explore(story.cluster, {"c2": SCENE_READ}, start=story, max_ballot=3,
                        max_copies=1, properties=["linearizable"], max_depth=5)
    if search.counterexample is None:
        print(f"lease 20, margin {margin}: no stale read in {search.states} states "
              f"({search.end}: every run of up to 4 more steps)")
    else:
        page = px.multipaxos.replay_orders(search.counterexample).history()[-1]
        print(f"lease 20, margin {margin}: {search.violation} violated "
              f"{len(search.counterexample) - len(story.trace)} steps after the cancel was answered; "
              f"{page}")

# %% [markdown]
# With the margin `safe_margin` computes, 14<!--out--> of the lease's 20 units, the search finds
# nothing: by the time `r2` could take over, `r1` had stopped using its lease, so it sends the
# page's read through the log, which it cannot get chosen while cut off, and the page waits.
# With no margin, the same three steps as the naive read: `r1`'s slow clock says the lease
# still holds while the fast followers have long been free, a new leader was elected, and
# `r1` answers `CONFIRMED`. A lease is only as safe as the bound on drift it was built for: if
# clocks drift more than the margin allows (a paused virtual machine, a clock stepped by NTP),
# stale reads come back.
#
# ### The log read, and what it costs
#
# The third way cannot go wrong: the read takes a slot like a command, so it happens at one
# point of the log, after every command chosen before it. The price is a phase-2 round per
# read, even though a read changes nothing. The same seeded workload, three orders and their
# reads by three clients, with each way of reading:

# %%
story = partition_scene("log", seed=9)
search = px.explore(story.cluster, {"c2": SCENE_READ}, start=story, max_ballot=3,
                    max_copies=1, properties=["linearizable"], max_depth=5)
print("log reads after the split:", search.end)
for mode in ("log", "lease", "any"):
    run = run_clients(3, 3, seed=SEED, reads=mode, drift=0.1)
    print(f"{mode:5}  {run.read_operations} reads took {run.read_slots} slot(s) of "
          f"{run.slots}; {run.messages} messages; linearizable: {run.linearizable}")

# %% [markdown]
# After the split the log read never goes stale: `r1` cannot get it chosen, so the page
# waits (and its retries cannot cross the split) rather than being told something false. In
# the calm run every read took a slot of its own with `log` reads, 9<!--out--> of 24<!--out-->
# slots. With leases only the reads that happened to reach the leader while its lease held
# skipped the log (6<!--out--> slots for the same reads), and asking for and renewing the
# lease costs messages of its own, so in a run this small it saves slots but not messages:
# leases pay off when reads far outnumber writes and go to the leader. `any` reads cost
# nothing at all, and happen to be right here only because nothing split the network: that
# is why they survive testing and fail in production.

# %% [markdown]
# ## Part 3 · Changing the members
#
# It is the winter sale. Orders pour in, and the shop wants a sixth replica, `r6`, on a new
# machine; later in the day it retires `r1`, whose disk is old. The shop cannot stop taking
# orders to do either.
#
# Who the members are decides what a quorum is, and a quorum decides what is chosen. If each
# replica switched to a new member list when the operator's message reached it, two replicas
# could count votes for the same slot against different lists, and one could call a command
# chosen that the other does not. So the change goes **through the log**: the operator submits
# a *configuration command*, `config r1,r2,r3,r4,r5,r6`, which is chosen in a slot like any
# order command (it changes no order). Every replica learns it at the same position in the
# log, so every replica that knows the log that far computes the same members.
#
# From which slot on do the new members count? Not from the next slot. A leader keeps several
# slots *in flight*: it proposes slot 11 before slot 10 is chosen, to its quorum of the members
# it knows. If the configuration chosen in slot 10 governed slot 11, the accepts of slot 11
# would already be out under the old members. So a configuration chosen in slot `k` governs
# slots from `k + α` on (the *window* of Paxos Made Moderately Complex), and a leader never
# has more than α slots in flight beyond the slots it knows chosen: when it proposes in a slot,
# the slot α before it is already chosen, and with it the slot's configuration.
#
# The sale below: five members and a spare `r6`, α = 2; the operator adds `r6` once the log has
# 10 slots and removes `r1` once it has 20, while twelve customers place orders and messages
# are lost.

# %%
from paxos_lib.multipaxos import (
    ReconfigCluster,
    ReconfigSimulation,
    parse_reconfigure,
    reconfig_soak_case,
)

shop = ReconfigCluster(replicas=6, members=("r1", "r2", "r3", "r4", "r5"), alpha=2)
sale = ReconfigSimulation(shop, seed=SEED,
                          changes=parse_reconfigure("add:r6@10,remove:r1@20", shop))
result = sale.run_workload(12, px.Faults(drop=0.05, crash=0.02))
for c in sale.configurations():
    how = "at the start" if c["chosen_in"] is None else f"chosen in slot {c['chosen_in']}"
    print(f"{', '.join(c['members']):24} {how:20} governs slots from {c['takes_effect']}")
print("applied:", result.applied)
print("agree:", result.agree, "| every command applied everywhere:", result.all_applied)
joined = sale.configurations()[1]["takes_effect"]
left = sale.configurations()[2]["takes_effect"]
r6 = sorted({slot for who, (slot, _), _ in sale.world.votes if who == "r6"})
r1 = sorted({slot for who, (slot, _), _ in sale.world.votes if who == "r1"})
print(f"r6 voted in slots {r6[0]}..{r6[-1]} (joined at {joined}); "
      f"r1 last voted in slot {r1[-1]} (left at {left})")

# %% [markdown]
# Each change was chosen in a slot and took effect two slots later. `r6` started empty and
# caught up from the others, like any replica that lagged, and it first voted in the slot its
# configuration governs; `r1` never voted again past its removal, yet it still learns the log.
# All six replicas hold the same log and the same order books.
#
# **Predict, then run.** Now break the rule. The variant `config-at-once` lets a configuration
# govern the very next slot as soon as a replica learns it chosen, while the leader still keeps
# α = 2 slots in flight. A tiny shop has two members, `r1` and `r2`, and a spare `r3`. The
# operator replaces `r2` by `r3` (`config r1,r3`) and a customer creates order 42, both at
# `r1`. The explorer tries every interleaving. Where does it first find a replica holding a
# command that was never chosen?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "nowhere: the change is chosen in the log, so every replica agrees",
    "in slot 0, where the configuration itself is chosen",
    "in slot 1, the order's slot",
])

# %% reveal
guess.recall()
tiny = ReconfigCluster(replicas=3, members=("r1", "r2"), alpha=2)
clients = {"r1": ["config r1,r3", "create #42 (c42/1)"]}
broken = {}
for variant in ("config-at-once", "no-window"):
    cluster = tiny if variant == "config-at-once" else ReconfigCluster(
        replicas=3, members=("r1", "r2"), alpha=1)
    found = px.explore(cluster, clients, variant=variant, max_ballot=1, max_depth=14)
    broken[variant] = found.counterexample
    print(f"{variant}: {found.end} after {found.states:,} states, "
          f"{len(found.counterexample)} steps: {found.detail}")
print()
print(broken["config-at-once"].numbered())
last = broken["config-at-once"].steps[-1].message.slot
guess.reveal("in slot 1, the order's slot" if last == 1 else
             "in slot 0, where the configuration itself is chosen")

# %% [markdown] reveal
# In slot 1<!--out-->. `r1` leads with `r2`'s promise and proposes both commands at once: the
# configuration in slot 0 and the order in slot 1, each to `r2`, the other member. `r2`
# accepts slot 0, so `config r1,r3` is chosen. At once, `r1` counts slot 1 with the new members
# `r1` and `r3`; its retry timer fires, it sends the accept of slot 1 to `r3`, `r3` accepts, and
# `r1` applies `create #42`: a majority of `r1, r3`. But slot 1 lies inside the window: its
# configuration is still `r1, r2`, and `r2` never voted there. No majority of slot 1's members
# accepted the order; a leader of `r1` and `r2` may fill slot 1 with a no-op, and order 42
# would exist on `r1` alone.
#
# The second line is the other broken rule, `no-window`: the leader proposes beyond α slots
# in flight and guesses the configuration of a slot it cannot know yet. It counts the old
# members in a slot the new ones govern. Both counterexamples are a handful of steps long, and
# the windowed rule, on the same tiny shop, has none (below).

# %% [markdown]
# Step through the counterexamples: pick one in the view's *run* menu; each opens at its
# violation. The charts after it are the same runs, for a printed copy.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(broken["config-at-once"], runs=broken, value="create #99 (c99/1)")

# %%
ax = px.viz.sequence_chart(broken["config-at-once"])

# %%
ax = px.viz.sequence_chart(broken["no-window"])

# %% [markdown]
# The rule as written, on the same shop and the same two client commands: the explorer finds
# no violation within its bound, and its *sometimes* example shows both commands applied on
# every replica, `r3` included (it learns the log by catching up). A soak of seeded runs with
# faults, each adding a spare and removing a member at random slots with α from 1 to 3, finds
# no violation either.

# %%
fine = px.explore(tiny, clients, max_ballot=1, max_depth=11)
print(f"classic: {fine.end} after {fine.states:,} states, violation: {fine.violation}")
print(f"example: {len(fine.examples['all-applied'])} steps to apply both commands everywhere")
runs = [reconfig_soak_case(seed).run() for seed in range(30)]
print(f"soak: {len(runs)} runs, {sum(not r.agree for r in runs)} violations, "
      f"{sum(not r.all_applied for r in runs)} with a command not applied everywhere")

# %% [markdown]
# ## What we saw
#
# - A replica **snapshots** its order book, client table included, at an applied slot and
#   drops the log below it: chosen, applied slots are never needed again, but votes in open
#   slots are. A replica that was away gets the snapshot and the few slots after it (state
#   transfer), not every slot it missed; it installs only a snapshot ahead of itself, or it
#   applies slots twice.
# - A client's command is done when it hears the reply; it retries the same request at
#   another replica. A history is **linearizable** when every operation can be placed at one
#   instant inside its interval; operations that do not overlap keep their order.
# - A read answered from `any` replica's copy can show "confirmed" after the customer was
#   told "cancelled". A **leader lease** is safe only while clock drift stays within its
#   margin; a read **through the log** is always linearizable, at the cost of a slot per read.
# - Members change **through the log**: a configuration chosen in slot `k` governs slots from
#   `k + α` on, and a leader keeps at most α slots in flight, so whoever proposes in a slot
#   knows its members. Quorums are majorities of each slot's own configuration; a new replica
#   joins empty and catches up; a removed one stops voting.
# - Applying a configuration at once (`config-at-once`) or pipelining past the window
#   (`no-window`) lets a replica count a majority that is not one of the slot's members; the
#   explorer finds each in a few steps.
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
# **Exercise 2 — decide when a lease read is safe.** The leader asked for its lease when its
# own clock read `start`; every follower that granted it accepts no other leader until its
# *own* clock has run `duration` units; every clock runs at a rate within 1 ± `drift` of real
# time. The leader's clock now reads `now`. Return `True` when the leader may answer a read
# from its own copy: no follower can be free yet, however the clocks drift (think of time as
# continuous here). The starting version trusts its own clock.

# %%
def lease_read_safe(now, start, duration, drift):
    return now - start < duration


px.exercises.check_lease_read(lease_read_safe)

# %% [markdown]
# **Exercise 3 — pick α.** A leader keeps up to `depth` slots in flight: it may propose in a slot while up to
# `depth - 1` slots below it are still open. A configuration command is chosen in slot
# `chosen_in`. Write `pick_alpha(depth, chosen_in)` returning `(alpha, first_slot)`: the
# smallest window α that is safe for that pipeline, and the first slot the new configuration
# then governs. The starter applies the change at once.

# %%
def pick_alpha(depth, chosen_in):
    alpha = 1  # the new members take over from the next slot
    return alpha, chosen_in + alpha


px.exercises.check_alpha(pick_alpha)
