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
# <!-- part 1 (snapshots): its cells follow this one, up to Part 2's heading. -->

# %% [markdown]
# ## Part 2 · Reads
#
# <!-- part 2 (reads): its cells follow this one, up to Part 3's heading. -->

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
# <!-- part 2 continues (clients) -->

# %% [markdown]
# ## Part 3 · Changing the members
#
# <!-- part 3 (reconfiguration): its cells follow this one, up to the summary. -->

# %% [markdown]
# ## What we saw
#
# <!-- summary: one bullet group per part, written by each part's author below. -->
#
# <!-- summary part 1 -->
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
# <!-- exercise 1 (snapshots): the snapshot-install rule; cells follow this one. -->

# %% [markdown]
# <!-- exercise 2 (reads): when is a lease read safe; cells follow this one. -->

# %% [markdown]
# <!-- exercise 3 (reconfiguration): pick alpha; cells follow this one. -->
