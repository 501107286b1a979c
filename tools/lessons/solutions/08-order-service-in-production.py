# %% [markdown]
# # 08 · The order service in production — reference answers
#
# The exercises of [lesson 08](../08-order-service-in-production.ipynb), answered. Each check below
# should say *Well done*.

# %%
import paxos_lib as px

SEED = 0

# %% [markdown]
# **Exercise 1 — install a snapshot.** A snapshot that is not ahead of the replica changes
# nothing: going back would apply slots a second time. Otherwise the replica takes the
# snapshot's order states and its client table (without the table a retried request inside
# the snapshot would run again), has applied every slot below the snapshot's, and keeps the
# log entries it holds from that slot on: they are chosen, and the ones below are covered.

# %%
def install_snapshot(replica, snapshot):
    if snapshot["slot"] <= replica["applied"]:
        return replica
    return {
        "applied": snapshot["slot"],
        "log": {slot: command for slot, command in replica["log"].items()
                if slot >= snapshot["slot"]},
        "orders": dict(snapshot["orders"]),
        "clients": dict(snapshot["clients"]),
    }


px.exercises.check_snapshot_install(install_snapshot)

# %% [markdown]
# **Exercise 2 — decide when a lease read is safe.** The follower with the fastest clock
# counts out `duration` units in `duration / (1 + drift)` of real time; the leader's slowest
# clock shows only `1 - drift` units per unit of real time. So the leader may answer while
# its elapsed time is below the product of the two.

# %%
def lease_read_safe(now, start, duration, drift):
    return now - start < duration * (1 - drift) / (1 + drift)


px.exercises.check_lease_read(lease_read_safe)

# %% [markdown]
# **Exercise 3 — pick α.** The leader may propose `depth - 1` slots beyond its first open one, so the slot whose
# configuration it needs may lie `depth - 1` slots after a slot not chosen yet. With α equal to
# the depth, the configuration of any slot it proposes in was settled α slots earlier, in a slot
# already chosen; any smaller α lets a configuration govern a slot already in flight, and any
# larger one keeps the old members in charge for nothing.

# %%
def pick_alpha(depth, chosen_in):
    alpha = depth
    return alpha, chosen_in + alpha


px.exercises.check_alpha(pick_alpha)
