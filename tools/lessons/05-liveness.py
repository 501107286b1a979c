# %% [markdown]
# # 05 · Liveness: duels, back-off and leaders
#
# Lessons 02 to 04 showed that Paxos never lets order 42 end up both "confirmed" and
# "cancelled", whatever the network does. This lesson asks the other question: will the shop
# *ever* decide, and how soon? Two proposers that want different things can keep refusing
# each other forever without breaking any rule; we watch that happen, try the two usual
# remedies, and meet the theorem that says no remedy can be perfect.
#
# ## Learning goals
#
# 1. Explain how two proposers can pre-empt each other forever (a *duel*), and spot one.
# 2. Compare randomized back-off and a leader over many seeded races, and see both are safe.
# 3. State the FLP result and what it means for Paxos: always safe, live when the network is.

# %%
import paxos_lib as px
from paxos_lib import liveness

SEED = 0

# %% [markdown]
# ## A network with a clock
#
# Liveness is about time, so this lesson's simulator has a clock. A *step* is now one tick:
# every message takes a few ticks to arrive, and many messages may arrive in the same tick.
# Prepares, promises and the rest take 1 or 2 ticks; accepts, which carry the whole order,
# take 3 to 6. Each message's delay is drawn from the
# race's own seeded random generator, so every race can be replayed exactly.
#
# The roles are the ones from lessons 02 to 04, unchanged. Recall what a proposer does when an
# acceptor refuses it (a *Nack*: "I promised a higher ballot"): it gives its ballot up and
# waits for its retry timer. *When* that timer fires is not part of the protocol; it is a
# policy of the environment, and it is exactly what this lesson varies:
#
# - `"duel"`: retry at once, with a ballot above the one that refused us.
# - `"backoff"`: wait a random number of steps first.
# - `"leader"`: only one distinguished proposer retries; the others step aside.
#
# `liveness.race(strategy, seed)` runs p1 (the warehouse, which wants "confirmed") against p2
# (the customer's cancel button, "cancelled") until some value is chosen. Its `story` tells
# the race in plain words.

# %%
duel = liveness.race("duel", seed=SEED + 17)
print(duel.story(first=14))

# %% [markdown]
# Replay this duel yourself. The view below opens it at step 14 with the rest of the race on
# its tape: press Step ▶ (or the → key) to follow it, or take over. Each proposer's ballot is
# written under it. **Timeout** on a refused proposer starts a higher ballot and prolongs the
# duel; delivering a quorum's *accept* messages before the rival's next *prepare* ends it.
# The chart after it shows the first 30 steps, for a printed copy.

# %% tags=["nbval-ignore-output"]
px.viz.ClusterView(duel.trace, at=14)

# %%
ax = px.viz.sequence_chart(duel.trace, step=30)

# %% [markdown]
# Look at steps 3 to 18. p1 is refused because a2 promised p2's ballot 1.p2, so p1 starts
# 2.p1 at once. Its prepares overtake p2's slow accepts, so by step 8 a2 has promised 2.p1
# and refuses p2's accept; p2 starts 3.p2 at once, which overtakes p1's accepts, and so
# on. Every message was handled by the rules, every refusal was correct, and
# still nothing is chosen. Notice too that from step 12 both proposers ask for "confirmed"
# (p2 adopted it from a promise, lesson 03's rule), and the duel *still* goes on: agreeing on
# a value is not enough, a quorum must accept it at one ballot.
#
# **Predict, then run.** This was one race. Over 50 seeded duels, how long will the slowest
# take to choose a value? Will any of them never choose?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "every duel chooses a value, the slowest within 50 steps",
    "every duel chooses a value, the slowest within 51 to 100 steps",
    "every duel chooses a value, but the slowest takes more than 100 steps",
    "some duels never choose a value",
])

# %% reveal
guess.recall()
duels = [liveness.race("duel", seed=SEED + i) for i in range(50)]
slowest = max(duels, key=lambda r: r.steps or r.max_steps)
steps = sorted(r.steps for r in duels if r.decided)
print(f"chose a value: {sum(r.decided for r in duels)} of {len(duels)}")
print("steps, fastest to slowest:", steps)
print(f"half of them chose within {steps[(len(steps) - 1) // 2]} steps; "
      f"the slowest started {sum(slowest.ballots.values())} ballots")
print(slowest)
if not all(r.decided for r in duels):
    guess.reveal("some duels never choose a value")
elif slowest.steps <= 50:
    guess.reveal("every duel chooses a value, the slowest within 50 steps")
elif slowest.steps <= 100:
    guess.reveal("every duel chooses a value, the slowest within 51 to 100 steps")
else:
    guess.reveal("every duel chooses a value, but the slowest takes more than 100 steps")

# %% [markdown] reveal
# Every duel ended, half of them within 17<!--out--> steps, but the slowest took 166<!--out-->
# steps and 41<!--out--> ballots, more than twenty times as long as the fastest. Nothing in the protocol ended it:
# in the end a quorum of accepts happened to arrive before the rival's next prepare, by the
# luck of the delays. Here is that slowest race as a plot of each proposer's ballot round
# over time.

# %%
axes = liveness.plot_rounds(slowest)

# %% [markdown]
# The staircase is the duel: each step up is a new ballot that overtakes the rival's, and the
# two lines climb together almost to the end. A duel goes on as long as a rival's whole phase 1
# (a prepare and its promise, two quick hops) fits inside your phase 2 (a slow accept). On a
# network where it never fits, duels end after a round; on one where it always fits, they
# never end. The rest of the lesson is about not betting on the network.
#
# ## Remedy 1: randomized back-off
#
# The trouble is that a refused proposer comes straight back. If instead it waits, the rival
# has time to finish its phase 2. How long? Nobody knows how slow the network is, so
# `liveness.random_backoff` starts with a window of about one round (8 steps) and doubles it
# after every refusal, and it draws the actual wait *at random* from that window, so that two
# proposers refused at the same moment do not come back at the same moment.
#
# ## Remedy 2: a distinguished proposer
#
# Or avoid competition altogether: agree that only one proposer, the *leader*, retries. Here
# the leader is the first proposer that is up (p1, or p2 if p1 has crashed), and the
# simulator tells every proposer exactly who is up, a perfect failure detector that real
# systems do not have (see the next section). The others try once, because their clients
# asked them, and then step aside. This is what real systems do
# (Multi-Paxos, Raft): one leader drives every decision while it lives.
#
# The same seed, the same network, the three strategies:

# %%
races = [liveness.race(strategy, seed=slowest.seed) for strategy in liveness.STRATEGIES]
for r in races:
    print(r)
print("ballots started in all:", {r.strategy: sum(r.ballots.values()) for r in races})
axes = liveness.plot_rounds(races)

# %% [markdown]
# Back-off chooses a value at step 13<!--out--> and the leader at step 11<!--out-->, with
# 3<!--out--> ballots each, where the duel needed 166<!--out--> steps and 41<!--out--> ballots. (With back-off p1 waited and let p2's
# "cancelled" through; the leader p1 insisted and won. Either outcome is fine: the shop
# needs *one* answer for order 42, not a particular one.)

# %% [markdown]
# ## A leader without an oracle
#
# Real proposers have no oracle that tells them who is up; they only have messages. So each
# proposer sends a small *heartbeat* to the others every 2 ticks, and a proposer that has
# heard nothing from another for longer than its timeout *suspects* it has crashed. A
# proposer believes it leads when it suspects every proposer before it (p2 leads when it
# suspects p1). `liveness.race("heartbeat", seed)` runs this election on the same engine and
# the same clock as before: heartbeats take 1 or 2 ticks, and a lossy network loses them too.
#
# A slow link looks exactly like a crash (lesson 04). `hiccup=("p1", 0, 12)` loses p1's
# heartbeats for the first 12 ticks while p1 itself works on, as a congested link or a long
# garbage-collection pause would; accepts are slow here (12 to 16 ticks), so the race is
# still open when the hiccup ends.
#
# **Predict, then run.** During the hiccup, how many proposers believe they lead? Can order
# 42 end up both "confirmed" and "cancelled"? And what happens when p1's heartbeats arrive
# again?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "one leader: p2 waits until p1 has certainly crashed",
    "two leaders at once, and both values can be chosen",
    "two leaders at once, and still one value is chosen",
])

# %% reveal
guess.recall()
election = liveness.race(
    "heartbeat", seed=SEED, suspect_after=3, hiccup=("p1", 0, 12), accept_latency=(12, 16)
)
print(election.story())
print(election)
guess.reveal(
    "one leader: p2 waits until p1 has certainly crashed" if not election.two_leaders
    else "two leaders at once, and still one value is chosen" if len(election.chosen) <= 1
    else "two leaders at once, and both values can be chosen"
)

# %% [markdown] reveal
# p2 suspected p1 although p1 was up, a *false suspicion*, and from then on both believed
# they led: two leaders at once, both free to start ballots. Still one value was chosen,
# because ballots, promises and quorums, not the election, keep Paxos safe. When p1's
# heartbeats got through again, p2 trusted it and stepped down, and it doubled its timeout
# for p1: each false alarm makes the next one less likely, so once the network settles
# only one leader is left. (A failure detector that is wrong only finitely often is
# called *eventually perfect*; it is all Paxos needs to make progress.) The figure shows
# who believed it led at each tick; the red band is the time with two leaders, the cross
# the false suspicion, the dot the moment p2 trusts p1 again.

# %%
ax = liveness.plot_election(election)

# %% [markdown]
# Two leaders at once are two duelling proposers again, and what ends their duel is
# remedy 1: a refused leader waits a random back-off before it retries. Let us keep p1's
# heartbeats lost for the whole race (`hiccup=("p1", 0, 400)`), so that both proposers
# believe they lead throughout, and compare with two leaders that retry at once
# (`leaders=("p1", "p2")`), first on a network that loses nothing, then on one that loses
# 20% of the messages, duplicates 10% and crashes nodes now and then.
#
# **Predict, then run.** In 100 seeded races each, which kind of two-leader race is slower,
# and will any race choose both "confirmed" and "cancelled"?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "retrying at once is slower, and no race chooses two values",
    "back-off is slower, and no race chooses two values",
    "some races choose two values",
])

# %% reveal
guess.recall()
networks = (("no loss", None), ("lossy", px.Faults(drop=0.2, duplicate=0.1, crash=0.02)))
medians = {}
two_values = 0
for network, faults in networks:
    kinds = {
        "two leaders, back-off": [
            liveness.race("heartbeat", seed=SEED + i, suspect_after=3,
                          hiccup=("p1", 0, 400), faults=faults)
            for i in range(100)
        ],
        "two leaders, at once": [
            liveness.race("leader", seed=SEED + i, leaders=("p1", "p2"), faults=faults)
            for i in range(100)
        ],
    }
    for kind, races_ in kinds.items():
        steps = sorted(r.steps for r in races_ if r.decided)
        medians[network, kind] = steps[len(steps) // 2]
        two_values += sum(len(r.chosen) > 1 for r in races_)
        print(f"{network:>7}, {kind}: {len(steps)} of 100 chose a value; median "
              f"{steps[len(steps) // 2]} steps, slowest {steps[-1]}; two values chosen: "
              f"{sum(len(r.chosen) > 1 for r in races_)}, safety violated: "
              f"{sum(not r.ok for r in races_)}")
at_once_slower = all(medians[n, "two leaders, at once"] > medians[n, "two leaders, back-off"]
                     for n, _ in networks)
guess.reveal(
    "some races choose two values" if two_values
    else "retrying at once is slower, and no race chooses two values" if at_once_slower
    else "back-off is slower, and no race chooses two values"
)

# %% [markdown] reveal
# Never two values, in any of the 400 races. Two leaders cost time, never correctness, and
# back-off makes that cost smaller, most of all in the slowest races. This is the deep
# design choice of Paxos: the ballots, promises and quorums keep every run safe, and timing
# (heartbeats, timeouts, back-off, leaders) is only ever used to make progress. A bug in the
# leader election, or a network that fools it, can slow the shop down but cannot make it
# lie to a customer.

# %% [markdown]
# ## How long, over many runs
#
# One seed proves little. Let us race each strategy 100 times (seeds 0 to 99) on three
# networks: one that loses no messages, one that loses 10% and one that loses 20%.
# `liveness.compare` runs the 900 races and shows a progress bar while it works; for one
# strategy and one loss rate, `liveness.steps_to_decision` does the same.
#
# **Predict, then run.** Which strategy will be fastest when no message is lost? And when 20%
# of the messages are lost?

# %% tags=["nbval-ignore-output"]
guess = px.viz.predict([
    "back-off, both times",
    "the leader, both times",
    "the leader with no loss, back-off at 20% loss",
    "back-off with no loss, the leader at 20% loss",
])

# %% reveal tags=["nbval-ignore-output"]
timings = liveness.compare(
    liveness.STRATEGIES, fault_rates=(0.0, 0.1, 0.2), seeds=range(SEED, SEED + 100)
)

# %% reveal
ax = liveness.plot_steps(timings)

# %% reveal
guess.recall()
for t in timings:
    print(t)
fastest = {rate: min((t for t in timings if t.fault_rate == rate), key=lambda t: t.median).strategy
           for rate in (0.0, 0.2)}
names = {"backoff": "back-off", "leader": "the leader", "duel": "the duel"}
guess.reveal(f"{names[fastest[0.0]]}, both times" if fastest[0.0] == fastest[0.2]
             else f"{names[fastest[0.0]]} with no loss, {names[fastest[0.2]]} at 20% loss")

# %% [markdown] reveal
# Each dot is one race and each black bar a median; the scale is logarithmic. Three things
# to notice:
#
# - **The tails differ most.** With no loss, half the duels choose a value within 18<!--out-->
#   steps, not far from the remedies' 8<!--out--> and 10<!--out-->, but one duel in ten takes
#   75<!--out--> steps or more, about six times the remedies' 90th percentile. A shop cares about its slowest orders.
# - **Back-off is quickest, the leader steadiest.** The leader insists on its first round:
#   when p2's higher ballot refuses p1, p1 retries at once and pre-empts p2, which costs a
#   round. After that nobody competes, and with no loss no race took more than 16<!--out-->
#   steps.
# - **Loss hurts the leader most, and shortens duels.** A lost message is only noticed when
#   its sender's patience timer runs out (16 steps here). With a leader, only the leader
#   notices, and everybody waits for it: at 20% loss its slowest race took 137<!--out--> steps, while
#   with back-off the other proposer keeps trying. In a duel, a lost prepare lets the
#   rival's accepts through, which ends the duel sooner. Back-off and leaders cure
#   *contention*; only timeouts cure loss.
#
# And safety, again, held in every one of these races: not one is unsafe.

# %% [markdown]
# ## Why no remedy can be perfect: FLP
#
# In 1985 Fischer, Lynch and Paterson proved that no deterministic consensus protocol can
# guarantee termination in an asynchronous system (where messages may take arbitrarily long
# and no clock can tell a slow process from a crashed one) if even one process may crash.
# Their proof shows that the network can always pick a schedule that keeps the system
# undecided one step longer, and then again, forever; our duel is such a schedule for Paxos.
# Every consensus protocol therefore gives something up, and Paxos gives up guaranteed
# termination, never safety: it chooses at most one value under any timing, and it chooses
# one once the system behaves synchronously for long enough, that is, once messages arrive
# within a bound and a single leader is left alone long enough to finish both phases.
# Timeouts, leader election and back-off are how real systems make that "long enough"
# likely. Randomness is the other way around the theorem, which speaks of *deterministic*
# protocols: random waits make an endless duel ever less likely, though on a network that
# could see the coin flips it would still be possible.

# %% [markdown]
# ## What we saw
#
# - Two proposers that retry at once can **duel**: each new prepare overtakes the other's
#   accepts, so ballots climb and nothing is chosen, with every rule followed.
# - **Randomized back-off** (a window that doubles, a wait drawn at random) and a
#   **distinguished proposer** both end duels quickly; the leader is the steadiest until
#   messages get lost, because then everybody waits for the leader's timeout.
# - Without an oracle, a leader is **elected by heartbeats and timeouts**. A slow link looks
#   like a crash, so a false suspicion can make two leaders at once: safe, only slower, and
#   back-off plus a timeout that doubles after each false alarm ends it.
# - **Safety never depends on timing**: two leaders, lost, duplicated and late messages and
#   crashes slow Paxos down but never make it choose two values.
# - **FLP**: no deterministic protocol can guarantee termination on an asynchronous network
#   with one crash; Paxos stays safe always and makes progress when the network behaves.
#
# Next: [06 · Model checking](06-model-checking.ipynb) stops sampling runs and checks every
# interleaving of a small cluster.

# %% [markdown]
# ## Exercises
#
# Each exercise gives you a starting function that runs, and a check that tells you in plain
# words what is still wrong. Change the function, run the cell again, and repeat until the
# check says *Well done*. Reference answers are in `solutions/05-liveness.ipynb`; try first.
#
# **Exercise 1 — back-off.** `backoff(attempt, rng)` says how many steps a proposer waits
# after its `attempt`-th refusal (1, 2, 3, …) before it tries a higher ballot. `rng` is a
# `random.Random`, so `rng.randint(0, 10)` draws a whole number from 0 to 10. The check races
# proposers using your function on this lesson's network and on one three times slower. The
# starting version waits a fixed 3 steps. What goes wrong, and on which network? Following
# the description of `random_backoff` above to the letter is not quite enough either: the
# check will tell you why.

# %%
def backoff(attempt, rng):
    return 3


px.exercises.check_backoff(backoff)

# %% [markdown]
# **Exercise 2 — who leads?** `should_retry(me, up)` says whether proposer `me` may try
# again after a refusal, given `up`, the proposers that are up (sorted, such as
# `("p1", "p3")`, with `me` among them). Each proposer that is up asks about itself, with the
# same `up` and no way to consult the others. The check asks your function about every set
# of p1, p2 and p3 that can be up, then races proposers and acceptors that crash and
# recover: order 42 must be decided in every race. The starting version lets every proposer
# that is up retry; run the check to see where that leads before you change it.

# %%
def should_retry(me, up):
    return me in up


px.exercises.check_should_retry(should_retry)
