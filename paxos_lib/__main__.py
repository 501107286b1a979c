"""``python -m paxos_lib``: run the command line (see ``paxos_lib.cli``)."""

import sys

from paxos_lib.cli import main

sys.exit(main())
