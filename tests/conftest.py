"""Shared pytest configuration.

Hypothesis profiles: "ci" (derandomized, 500 examples, prints a reproduction blob) is loaded
when the environment variable CI is set; "dev" (100 random examples) otherwise.  Neither has a
deadline: exploring a schedule can take longer than hypothesis's default 200 ms.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=500, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# ---------------------------------------------------------------------------------------------
# Shared fixtures go below this line.
# ---------------------------------------------------------------------------------------------
