# %% [markdown]
# # 07 · Multi-Paxos: a log of order commands
#
# Lessons 01 to 06 chose *one* value: order 42 is "confirmed" or "cancelled". A real shop
# makes thousands of decisions: orders are created, confirmed, paid, shipped, cancelled, and
# every copy of the shop's database must see the same decisions in the same order. This
# lesson turns single-decree Paxos into a *replicated log*, the way Multi-Paxos does, and
# watches five replicas keep identical order books while leaders crash and messages vanish.
#
# ## Learning goals
#
# 1. Explain how a log of slots keeps replicas identical, and why a leader runs phase 1 once.
# 2. Follow a leader change in mid-stream: open slots recovered, holes filled, replicas caught up.
# 3. Say why a retried request may be chosen twice and still take effect only once.

# %%
import paxos_lib as px
from paxos_lib.multipaxos import OrdersSimulation, replica_rows, run_orders
from paxos_lib.orders import Command, OrderBook, apply

SEED = 0

# %% [markdown]
# ## From one value to a log
#
# Give every replica the same starting order book and the same *deterministic* function
# `apply(book, command)`. If every replica applies the same commands in the same order, every
# replica ends with the same book: that is *state machine replication*. So the replicas only
# have to agree on one thing, the sequence of commands. Number the positions of that sequence
# 0, 1, 2, …: these are **slots**, and each slot is decided by its own instance of the Paxos
# you already know. A replica applies slot 0, then slot 1, and so on, and it must stop at the
# first slot it does not know yet, even if it knows later ones (a *gap*).
#
# In `paxos_lib.multipaxos` every node is a **replica**: proposer, acceptor and learner at
# once. Messages carry a slot number: `accept 1.r1 slot 0 'create #42 (c42/1)'` asks for a
# vote for that command in slot 0 at ballot `1.r1`. A command names its order and the client's
# request: `(c42/1)` is client `c42`'s first request. Here is the first command of order 42,
# sent to replica `r1`; we deliver every message in flight, one at a time, until none is left.

# %%
sim = OrdersSimulation(5, seed=SEED)
sim.submit("r1", "create #42 (c42/1)")
while sim.world.inflight:
    sim.deliver()
one_command = sim.trace
print(one_command.numbered())
print("messages:", sim.messages)

# %%
ax = px.viz.sequence_chart(one_command)

# %% [markdown]
# This is lesson 02's Paxos with five nodes: `r1` sends a *prepare* (1a) to the other four,
# collects their *promises* (1b), sends *accept* (2a) and gets *accepted* (2b) back. Its own
# promise and vote need no message. Four times four is 16<!--out--> messages for one command.
#
# ## Why phase 1 only once
#
# Look at what the prepare asked: "promise me ballot 1.r1 *from slot 0 on*". A promise is not
# about one slot: it covers this slot and every later one. And what did the promises answer?
# That nobody had voted in any of those slots. So as long as no replica promises a higher
# ballot, `r1` already knows everything phase 1 could tell it about slot 1, slot 2, and so on:
# every one of them is free. It can go straight to phase 2 for the next command. That is the
# whole trick of Multi-Paxos: one phase 1 for a leader's whole term, one phase 2 per command.
#
# **Predict, then run.** `r1` still leads. The customer now confirms order 42. How many
# messages will that command cost with five replicas, and which kinds?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "16: prepares, promises, accepts and accepted replies",
    "8: accepts and accepted replies",
    "4: accepts only",
])

# %% reveal
guess.recall()
before = sim.messages
sim.submit("r1", "confirm #42 (c42/2)")
while sim.world.inflight:
    sim.deliver()
print("\n".join(sim.trace.numbered().splitlines()[len(one_command.steps):]))
print("messages:", sim.messages - before)
guess.reveal({16: "16: prepares, promises, accepts and accepted replies",
              8: "8: accepts and accepted replies"}.get(sim.messages - before, "4: accepts only"))

# %% [markdown] reveal
# 8<!--out--> messages: four accepts and four accepted replies, half the cost of the first
# command. With `n` replicas, a leader that sends its accept to every other replica needs
# 2(n−1) messages per command once phase 1 is done, against 4(n−1) if it ran phase 1 again
# for every slot. It needs only a quorum's votes, though: a leader that sends its accept to
# just ⌊n/2⌋ others (its own vote makes ⌊n/2⌋ + 1, a majority) needs 2⌊n/2⌋ messages, 4
# instead of 8 here. That saving (the *thrifty* option of some implementations) has a price:
# if any one of those few replicas is slow or down, the command waits until the leader
# notices and asks another.
#
# Who knows what now? The table below has one row per replica: its role, the ballot it
# promised, how many slots it has applied and how many it knows, and its log. A vote whose
# outcome the replica does not know yet is shown as `(command @ ballot)`.

# %%
for row in replica_rows(sim.world):
    print("{replica}  {role:9} ballot {ballot}  applied/known {slot}  log: {log}".format(**row))

# %% [markdown]
# Only the leader has counted the four votes, so only it knows that slot 1 is chosen. The
# followers hold a vote for it, not a decision. They learn it from the leader's next message:
# every accept and every commit carries the leader's *commit index*, "every slot below this
# one is chosen". A follower that voted in such a slot at the leader's own ballot knows its
# vote is the chosen command (a leader proposes one command per slot per ballot).

# %% [markdown]
# ## A leader change in mid-stream
#
# Now the leader fails at a bad moment. In a fresh cluster, order 42 is created and `r1`
# leads. Then two clients send `r1` a command each: the customer of order 42 confirms it, and
# a new customer creates order 7. `r1` puts them in slots 1 and 2 and sends the accepts. Only
# one accept arrives, the one for slot 2 at `r2`; then `r1` crashes and every other message is
# lost.

# %%
sim = OrdersSimulation(5, seed=SEED)
sim.submit("r1", "create #42 (c42/1)")
sim.settle()
sim.submit("r1", "confirm #42 (c42/2)")
sim.submit("r1", "create #7 (c7/1)")
slot2_to_r2 = next(m for m in sim.world.inflight if m.dst == "r2" and m.slot == 2)
sim.apply(px.Deliver(slot2_to_r2))
sim.apply(px.Crash("r1"))
while sim.world.inflight:
    sim.drop()
for row in replica_rows(sim.world):
    print("{replica} {status:7} {role:9} ballot {ballot}  applied/known {slot}  log: {log}"
          .format(**row))

# %% [markdown]
# **Predict, then run.** The four live replicas notice that `r1` is silent; one of them takes
# over with a higher ballot and runs phase 1 from slot 1. Its quorum reports one vote in slot
# 2 and nothing in slot 1. What will the new leader write into slot 1, and into slot 2? And
# what happens to the customer's "confirm #42"?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "slot 1: 'confirm #42', slot 2: 'create #7'",
    "slot 1: a no-op, slot 2: 'create #7'; the confirm is lost",
    "slot 1 and slot 2: no-ops; both commands are lost",
])

# %% reveal
guess.recall()
run = sim.run(max_steps=80, faults=px.Faults(recover=0.0))
print(f"{run.steps} steps later:")
for row in replica_rows(sim.world):
    print("{replica} {status:7} {role:9} ballot {ballot}  applied/known {slot}  log: {log}"
          .format(**row))
slots = sim.log("r3")[1:3]
guess.reveal({("confirm #42 (c42/2)", "create #7 (c7/1)"): "slot 1: 'confirm #42', slot 2: 'create #7'",
              ("noop", "create #7 (c7/1)"): "slot 1: a no-op, slot 2: 'create #7'; the confirm is lost",
              }.get(slots, "slot 1 and slot 2: no-ops; both commands are lost"))

# %% [markdown] reveal
# `r2` became the leader with ballot `2.r2`. For every open slot it did what single-decree
# Paxos demands, slot by slot:
#
# - **Slot 2**: a promise reported a vote for `create #7`, so the new leader proposes exactly
#   that command (the value of the highest-ballot vote, lesson 03's rule). It cannot tell
#   whether that command was already chosen by replicas it did not hear from; proposing
#   anything else could overwrite a chosen command.
# - **Slot 1**: nobody in its quorum voted there, so nothing can have been chosen there: any
#   quorum that chose a command would share a replica with this quorum, and that replica
#   would have reported its vote. But slot 1 cannot stay empty: every replica stops at the
#   first gap, so slot 2 would never be applied. The leader fills the **hole** with a
#   **no-op**, a command that changes nothing.
#
# The customer's `confirm #42` is simply gone: it was never chosen. No replica told the
# customer it was, so the customer's client retries, this time at `r3`, which forwards it to
# the leader.

# %%
sim.submit("r3", "confirm #42 (c42/2)")
run = sim.run(max_steps=40, faults=px.Faults(recover=0.0))
for row in replica_rows(sim.world):
    print("{replica} {status:7} {role:9} ballot {ballot}  applied/known {slot}  log: {log}"
          .format(**row))

# %% [markdown]
# ## Catch-up
#
# `r1` is still down, and its disk still holds a vote for `confirm #42` in slot 1, where the
# others have chosen a no-op. A vote is not a decision. When `r1` restarts it knows only slot
# 0. It learns the rest from the others: the leader's messages carry the commit index, and a
# replica that finds a gap asks for the missing slots (`catch-up`); any replica answers with
# the chosen commands. `r1` never applies its own stale vote.

# %%
sim.settle()
for row in replica_rows(sim.world):
    print("{replica} {status:7} {role:9} ballot {ballot}  applied/known {slot}  log: {log}"
          .format(**row))
print()
print("order states on every replica:", {r: sim.order_states(r) for r in ("r1", "r3", "r5")})
for verdict in sim.check():
    print(verdict)

# %% [markdown]
# The checks are Multi-Paxos's safety properties: at most one command chosen per slot, every
# replica's log holds the chosen commands, applied logs are prefixes of each other, and
# replicas that applied the same number of slots hold the same order states.

# %% [markdown]
# Step through the whole story below, from the moment before `r1` crashes. Under the
# diagrams each replica's log is a row of slots: ✓ applied, ● committed (known chosen),
# ? accepted (a vote whose outcome it does not know), · a gap, and *no-op*. Press Step ▶ to
# watch `r2` take over and fill slot 1 with a no-op, and `r1` catch up after its restart; or
# crash and partition replicas yourself for another leader change. The chart after it shows
# the 40 steps from the crash, for a printed copy.

# %% tags=["nbval-ignore-output"]
crash = sim.trace.steps.index(px.Crash("r1"))
px.viz.ClusterView(sim.trace, at=crash, value="create #9 (c9/1)")

# %%
ax = px.viz.sequence_chart(sim.trace, step=crash + 40, window=40)

# %% [markdown]
# ## Exactly once
#
# The client above retried because it heard nothing. Usually the first attempt was lost, as
# here. But sometimes it was not: the first copy sits as a vote in some slot that a later
# leader recovers and completes, while the retry gets a slot of its own. Then the log holds
# the *same request twice*. It takes an unlucky schedule, so rather than hunt for a seed that
# happens to produce one, we script it:
#
# 1. `r1` leads; it puts `create #7` in slot 2 and the customer's `pay #42` in slot 3. Only
#    the accept for slot 3 reaches `r2`; then `r1` crashes and the rest is lost. A network
#    fault cuts `r2` off from `r3`, `r4` and `r5`.
# 2. The customer hears nothing and retries the payment at `r3`. A replica on the majority
#    side takes over; its quorum knows nothing of slots 2 and 3, so the retry gets slot 2,
#    and is chosen there.
# 3. The network heals, and that leader crashes too. `create #7`'s client retries at `r2`,
#    which takes over in turn. Its own promise reports its vote for `pay #42` in slot 3, and
#    lesson 03's rule makes it propose that vote again: the first attempt is chosen too.
#
# The schedule is scripted; the seeded scheduler only runs the two elections, and their
# outcome does not depend on it. In step 2, `r2` is cut off, so no leader there can hear of
# its vote. In step 3, `r2` is the only replica holding a client's command, so it is the one
# that suspects the dead leader and takes over, and its own promise always reports its vote.

# %%
still = px.Faults(recover=0.0, heal=0.0)  # no crash, recovery, split or heal unless we say so
sim = OrdersSimulation(5, seed=SEED)
for text in ("create #42 (c42/1)", "confirm #42 (c42/2)"):
    sim.submit("r1", text)
sim.settle()
sim.submit("r1", "create #7 (c7/1)")
sim.submit("r1", "pay #42 (c42/3)")
sim.apply(px.Deliver(next(m for m in sim.world.inflight if m.dst == "r2" and m.slot == 3)))
sim.apply(px.Crash("r1"))
while sim.world.inflight:
    sim.drop()
sim.apply(px.Partition([["r1", "r2"], ["r3", "r4", "r5"]]))
sim.submit("r3", "pay #42 (c42/3)")  # step 2: the customer retries
sim.run(max_steps=200, faults=still)
print("step 2: the retry was handled by", sim.leader())
sim.apply(px.Heal())
sim.apply(px.Crash(sim.leader()))
sim.submit("r2", "create #7 (c7/1)")  # step 3: the other client retries
sim.run(max_steps=300, faults=still)
print("step 3: the new leader is", sim.leader())
sim.settle()
log = sim.log("r1")
for command in sorted(set(log) - {"noop"}):
    slots = [slot for slot, c in enumerate(log) if c == command]
    if len(slots) > 1:
        print(f"{command!r} is chosen in slots {slots}")
print("log:", " | ".join(log))
books = {str(sim.order_states(r)) for r in sim.cluster.node_ids}
print("different order books on the 5 replicas:", len(books))
print("r1's order book:", sim.replicas()[0].book)

# %% [markdown]
# The log holds the customer's payment twice, yet every replica counts one payment: the order
# book remembers every `(client, request)` it executed, and `apply` turns a repeat into a
# *duplicate* that returns the first outcome and changes nothing. Because `apply` is
# deterministic, every replica makes the same call. Here is `apply` on its own:

# %%
book = OrderBook.empty()
for text in ("create #42 (c42/1)", "confirm #42 (c42/2)", "pay #42 (c42/3)", "pay #42 (c42/3)",
             "cancel #42 (c42/4)", "ship #42 (warehouse/1)"):
    book, outcome = apply(book, Command.parse(text))
    print(outcome)
print(book)

# %% [markdown]
# The second `pay` changed nothing: the customer is charged once. The late `ship` is
# *rejected*, because a cancelled order is final; that too happens the same way on every
# replica, since the rejection is part of the deterministic `apply`, not an exception.
#
# Paxos guarantees that each *slot* is decided once; exactly-once *execution* of a client's
# request is the application's job, done by remembering request ids.
#
# That memory must not grow for ever: the shop serves requests for as long as it runs. So the
# book keeps less than every request. Each client numbers its requests in sequence and waits
# for one answer before it sends the next, so a replica needs only the latest request id and
# its answer per client (a client *session*, as in the Raft dissertation's chapter on client
# interaction): the book above counts two clients, not five requests. A real service also
# expires sessions that stay idle, by a command in the log so that every replica expires the
# same ones at the same point, and a client whose session expired gets an error instead of a
# silent second execution; the clients in this course never leave, so their sessions never
# expire. And the table is part of the state that snapshots save (lesson 08), so a replica
# that restarts from a snapshot still recognises old requests.

# %% [markdown]
# ## Order states side by side, while faults happen
#
# Now a busier shop under fire. Three orders; order 42 has been paid, and then the warehouse
# ships it (`ship`) while the customer tries to cancel it (`cancel`), at two different
# replicas. The scheduler drops 10% of the messages, duplicates some, and crashes replicas now
# and then. Every 60 steps we print each replica's role, applied/known slots and order states.
#
# **Predict, then run.** While faults happen, will the replicas ever show *different* states
# for order 42? And at the end?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "the same on every replica, all the time",
    "different for a while (some replicas lag), the same at the end",
    "different, and still different at the end",
])

# %% reveal
guess.recall()
differed = False
sim = OrdersSimulation(5, seed=SEED)
for text in ("create #41 (c41/1)", "create #42 (c42/1)", "create #43 (c43/1)",
             "confirm #42 (c42/2)", "pay #42 (c42/3)"):
    sim.submit("r1", text)
sim.settle()
sim.submit("r2", "ship #42 (warehouse/1)")
sim.submit("r4", "cancel #42 (c42/4)")
sim.submit("r5", "confirm #41 (c41/2)")
sim.submit("r3", "cancel #43 (c43/2)")
storm = px.Faults(drop=0.1, duplicate=0.05, crash=0.03, recover=0.1)
for checkpoint in range(3):
    sim.run(max_steps=60, faults=storm)
    print(f"after {60 * (checkpoint + 1)} more steps:")
    for row in replica_rows(sim.world):
        r = row["replica"]
        print(f"  {r} {row['status']:7} {row['role']:9} {row['slot']:>4}  {sim.order_states(r)}")
    differed |= len({sim.order_states(r).get(42) for r in sim.cluster.node_ids}) > 1
sim.settle()
print("after healing and settling:")
for row in replica_rows(sim.world):
    r = row["replica"]
    print(f"  {r} {row['status']:7} {row['role']:9} {row['slot']:>4}  {sim.order_states(r)}")
print("all safety properties hold:", all(v.holds for v in sim.check()))
print("the customer's cancel:", sim.replicas()[0].book.outcome_of("c42", 4))
same_at_end = len({sim.order_states(r).get(42) for r in sim.cluster.node_ids}) == 1
guess.reveal("different, and still different at the end" if not same_at_end
             else "different for a while (some replicas lag), the same at the end" if differed
             else "the same on every replica, all the time")

# %% [markdown] reveal
# While faults happen, replicas *lag*: one has applied fewer slots than another, so its order
# 42 may still read PAID while another's reads SHIPPED. That is allowed. What never happens
# is a *disagreement*: two replicas that applied the same number of slots always hold the same
# states, and in the end every replica reaches the same ones. Whichever of `ship` and `cancel`
# got the lower slot won, on every replica; the other was rejected everywhere.

# %% [markdown]
# And when the recovery rule is broken? The `forgetful-leader` variant changes one rule: a new
# leader ignores the votes that promises report and writes a no-op into every slot it does not
# know chosen. A seeded workload with a few crashes is enough to catch it.

# %%
for variant in ("classic", "forgetful-leader"):
    result = run_orders(3, orders=3, seed=SEED, variant=variant,
                        faults=px.Faults(drop=0.1, crash=0.05))
    print(f"{variant}: replicas agree: {result.agree}")
    for verdict in result.verdicts:
        if not verdict.holds:
            print("  ", verdict)

# %% [markdown]
# The broken leader's no-op landed in a slot where a client's command had already been
# chosen: two commands chosen in one slot. A replica that learns `ship #1` there and one that
# learns the no-op apply different logs and end with different order states. One forgotten
# rule, and the shop's replicas no longer agree.

# %% [markdown]
# ## Messages per command
#
# How much does phase 1 once save over a whole workload? We run 20 orders (about 100 commands)
# on clusters of 3 to 9 replicas, with clients that know the leader and no faults, once with
# `classic` Multi-Paxos and once with the `phase1-per-slot` variant, which runs phase 1 again
# before each command. The leader sends to every replica, so the dashed lines are the
# minimums for that, 2(n−1) and 4(n−1).

# %%
sizes = (3, 5, 7, 9)
cost = {
    variant: [run_orders(n, orders=20, seed=SEED, variant=variant, clients_know_leader=True,
                         patience=10**9).messages_per_command for n in sizes]
    for variant in ("classic", "phase1-per-slot")
}
for variant, values in cost.items():
    print(f"{variant:16}", "  ".join(f"n={n}: {v:5.2f}" for n, v in zip(sizes, values)))

ax = px.viz.plot_messages_per_command(
    sizes, cost, title="20 orders, no faults, clients send to the leader")

# %% [markdown]
# Both lines grow linearly with the cluster, and the stable leader costs about half. Each
# measured point sits a little above its minimum: the leader also sends commits to followers
# that have not heard the latest commit index, and followers ask to catch up now and then.

# %% [markdown]
# ## What we saw
#
# - A **replicated log** is a row of slots, each one decided by its own Paxos instance;
#   replicas apply the chosen commands in slot order with a deterministic `apply`, so they
#   end with the same order states.
# - A promise covers every slot from the leader's first open slot on, so a **stable leader**
#   runs phase 1 once and pays 2(n−1) messages per command instead of 4(n−1) (when it sends
#   to every replica; 2⌊n/2⌋ if it asks only a quorum).
# - A **new leader** recovers each open slot with lesson 03's rule, fills **holes** with
#   **no-ops**, and lagging or restarted replicas **catch up** from the others; a vote is never
#   applied until its slot is known chosen.
# - A retried request can be chosen in two slots; remembering request ids makes its execution
#   **exactly once**, and real systems keep that memory bounded with per-client sessions.
#
# Next, [08 · The order service in production](08-order-service-in-production.ipynb) runs this
# log for a long time: snapshots, reads and changing members. Lesson 09 compares its recovery
# with Raft's, where a log never has holes and only a replica whose log is up to date can be
# elected. Or run `python -m paxos_lib orders` for the same workloads from the command line.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/07-multi-paxos-orders.ipynb`;
# try first.
#
# **Exercise 1 — stop at the first gap.** `first_gap(log)` gets a replica's log as a tuple,
# one entry per slot: the chosen command's text (`'noop'` included), or `None` where the
# replica does not know the slot yet. Return how many slots, from slot 0, the replica may
# apply. The starting version counts the slots it knows. What goes wrong with a hole?

# %%
def first_gap(log):
    return sum(1 for command in log if command is not None)


px.exercises.check_first_gap(first_gap)

# %% [markdown]
# **Exercise 2 — recover an open slot.** A new leader has a quorum of promises. For one slot
# it does not know to be chosen, they reported the votes in `votes`, a tuple of
# `(ballot, command)` pairs (ballots are `px.Ballot` values and compare with `<` and `>`; it
# may be empty). Return the command the leader proposes in that slot. The log must not lose a
# command that may already be chosen there, and the slot must not hold up the slots after it.
# The check gives your function the reports of promises from several leader changes; the
# starting version takes the first vote it sees.

# %%
def recover_slot(votes):
    if votes:
        return votes[0][1]
    return "noop"


px.exercises.check_recover_slot(recover_slot)

# %% [markdown]
# **Exercise 3 — the client table.** The order book above keeps one entry per client; here
# you write what a replica does with that table. `table[client]` is `(request, reply)`, the
# last request of that client it applied and the reply that request got. A client numbers its requests 1, 2, 3, … and sends the next one only
# once the previous one was answered; when a reply is lost it sends the same request again,
# and that retry may be chosen in another slot. `dedup(table, client, request)` decides what a
# replica does with the next command of its log: `("apply", None)` runs it, `("reply",
# reply)` sends `reply` to the client without running anything, `("ignore", None)` does
# neither. The check walks a log of nine slots with retries in it, keeping the table itself,
# and judges each slot. The starting version treats any client it has seen as a retry.

# %%
def dedup(table, client, request):
    if client in table:
        last_request, last_reply = table[client]
        return ("reply", last_reply)
    return ("apply", None)


px.exercises.check_dedup(dedup)
