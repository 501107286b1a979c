"""Exercises with automatic feedback for the lessons.

Theory of operation
-------------------
Each ``check_*`` function takes the learner's function, runs it against a table of scenarios
(and, where it helps, the real engine or explorer), and returns a ``Feedback``: passed, or
"not yet" with one plain sentence per scenario that went wrong, such as "your acceptor
accepted ballot 1.p2 after promising 2.p1".  A check never raises because of the learner's
code: an exception in it, or an answer of the wrong type, becomes a line of feedback.
Passing something that is not a function is still a ``ConfigError``.

One module per lesson topic; this package re-exports every check, so a notebook calls
``px.exercises.check_pick_value(pick_value)``.
"""

from paxos_lib.exercises.acceptor_rules import *  # noqa: F403
from paxos_lib.exercises.acceptor_rules import __all__ as _acceptor_rules
from paxos_lib.exercises.canonical import *  # noqa: F403
from paxos_lib.exercises.canonical import __all__ as _canonical
from paxos_lib.exercises.chosen import *  # noqa: F403
from paxos_lib.exercises.chosen import __all__ as _chosen
from paxos_lib.exercises.failures import *  # noqa: F403
from paxos_lib.exercises.failures import __all__ as _failures
from paxos_lib.exercises.feedback import Feedback
from paxos_lib.exercises.flexible import *  # noqa: F403
from paxos_lib.exercises.flexible import __all__ as _flexible
from paxos_lib.exercises.invariants import *  # noqa: F403
from paxos_lib.exercises.invariants import __all__ as _invariants
from paxos_lib.exercises.learners import *  # noqa: F403
from paxos_lib.exercises.learners import __all__ as _learners
from paxos_lib.exercises.leases import *  # noqa: F403
from paxos_lib.exercises.leases import __all__ as _leases
from paxos_lib.exercises.liveness import *  # noqa: F403
from paxos_lib.exercises.liveness import __all__ as _liveness
from paxos_lib.exercises.multipaxos import *  # noqa: F403
from paxos_lib.exercises.multipaxos import __all__ as _multipaxos
from paxos_lib.exercises.proposer_rules import *  # noqa: F403
from paxos_lib.exercises.proposer_rules import __all__ as _proposer_rules
from paxos_lib.exercises.raft import *  # noqa: F403
from paxos_lib.exercises.raft import __all__ as _raft
from paxos_lib.exercises.scenes import *  # noqa: F403
from paxos_lib.exercises.scenes import __all__ as _scenes
from paxos_lib.exercises.snapshots import *  # noqa: F403
from paxos_lib.exercises.snapshots import __all__ as _snapshots
from paxos_lib.exercises.snippet_schedule import *  # noqa: F403
from paxos_lib.exercises.snippet_schedule import __all__ as _snippet_schedule

__all__ = ["Feedback", *_acceptor_rules, *_learners, *_proposer_rules, *_failures,
           *_liveness, *_multipaxos, *_chosen, *_invariants, *_canonical, *_scenes,
           *_snippet_schedule, *_raft]

# lesson 09, part 1: an inductive invariant of Voting
from paxos_lib.exercises.refinement import *  # noqa: F403
from paxos_lib.exercises.refinement import __all__ as _refinement

__all__ += [*_refinement]
__all__ += _snapshots  # lesson 08, part 1: the snapshot-install rule

# lesson 08, part 3: pick the window alpha
from paxos_lib.exercises.reconfig import *  # noqa: F403, E402
from paxos_lib.exercises.reconfig import __all__ as _reconfig  # noqa: E402

__all__ += [*_reconfig]

# lesson 08, part 2: when a lease read is safe (imported with the others above)
__all__ += [*_leases]

# lesson 09, parts 2 and 3: quorums that intersect
__all__ += [*_flexible]
