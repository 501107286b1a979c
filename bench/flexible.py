"""Flexible Paxos's trade-off, measured on the single-decree engine.

For n acceptors and each phase-2 quorum size q2, with the smallest safe phase-1 quorum
q1 = n - q2 + 1, this runs seeded simulations of the real engine (no mocks) and prints:

- ``phase2_messages``: messages delivered in phase 2 (Accept and Accepted) until the leader
  knows its value is chosen, a leader already holding its promises (Multi-Paxos's steady
  state, one command): the mean over seeds, deliveries in seeded random order;
- ``phase2_survives``: the most acceptors that may be crashed (or slow) after phase 1 while
  phase 2 still completes;
- ``phase1_messages``: messages delivered in phase 1 (Prepare and Promise) until a new leader
  may start phase 2, the mean over seeds (a leader change);
- ``phase1_survives``: the most acceptors that may be crashed while a new leader still
  completes phase 1.

Run ``python bench/flexible.py`` (``--acceptors 5 --seeds 20 --json``).  Smaller phase-2
quorums cost fewer messages per command and survive more slow acceptors in steady state; the
larger phase-1 quorum they need makes a leader change cost more replies and fail with fewer
crashes.  NOTE: the engine's proposer sends its Accept to every acceptor (not only to a
phase-2 quorum), so the messages counted are those delivered before the decision, the ones
a leader waits for.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paxos_lib.flexible import measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acceptors", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.acceptors <= 9 or args.seeds < 1:
        parser.error(f"--acceptors must be 1 to 9 and --seeds at least 1, got "
                     f"{args.acceptors} and {args.seeds}")
    rows = measure(args.acceptors, args.seeds)  # the measurement lives in paxos_lib.flexible
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'q1':>3} {'q2':>3} {'phase-2 msgs':>13} {'phase 2 survives':>17} "
          f"{'phase-1 msgs':>13} {'phase 1 survives':>17}")
    for r in rows:
        print(f"{r['phase1_quorum']:>3} {r['phase2_quorum']:>3} {r['phase2_messages']:>13.1f} "
              f"{r['phase2_survives']:>17} {r['phase1_messages']:>13.1f} "
              f"{r['phase1_survives']:>17}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
