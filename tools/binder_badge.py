"""Fill in the Binder badge's GitHub owner/name from the repository's git remote.

README.md is the one place the published repository's ``OWNER/REPO`` is written: in the
Binder badge (``https://mybinder.org/v2/gh/OWNER/REPO/HEAD?urlpath=...``) and in the Quick
start's clone command (``git clone https://github.com/OWNER/REPO.git``).  Run this once after
publishing (or after moving the repository):

    python tools/binder_badge.py                 # from `git remote get-url origin`
    python tools/binder_badge.py --remote upstream
    python tools/binder_badge.py --repo someone/paxos-course
    python tools/binder_badge.py --check         # print the badge's owner/name, change nothing

Theory of operation: read the remote's URL with git, accept the three GitHub forms
(``https://github.com/O/R(.git)``, ``git@github.com:O/R(.git)``, ``ssh://git@github.com/O/R``),
and rewrite the owner/name segment of both links, whatever they held before (the
placeholder or an earlier name), leaving the rest of README.md byte for byte.  mybinder's
``gh`` provider serves GitHub only, so any other host is refused with a message saying so.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = "OWNER/REPO"
BADGE_LINK = re.compile(r"(\(https://mybinder\.org/v2/gh/)([^/()\s]+/[^/()\s]+)(/HEAD\?urlpath=)")
CLONE_LINK = re.compile(r"(git clone https://github\.com/)([^/()\s]+/[^/()\s]+?)(\.git )")
_NAME = r"[A-Za-z0-9_.\-]+"
_REMOTE_FORMS = (
    re.compile(rf"^https://(?:[^@/]+@)?github\.com/({_NAME})/({_NAME}?)(?:\.git)?/?$"),
    re.compile(rf"^git@github\.com:({_NAME})/({_NAME}?)(?:\.git)?$"),
    re.compile(rf"^ssh://git@github\.com(?::\d+)?/({_NAME})/({_NAME}?)(?:\.git)?/?$"),
)
_SLUG = re.compile(rf"^{_NAME}/{_NAME}$")


class BadgeError(Exception):
    """A remote or a README this tool cannot work with; the message says why."""


def slug_from_remote_url(url: str) -> str:
    """The ``owner/name`` of a GitHub remote URL, or BadgeError naming the URL."""
    url = url.strip()
    for form in _REMOTE_FORMS:
        match = form.match(url)
        if match and match.group(2):
            return f"{match.group(1)}/{match.group(2)}"
    raise BadgeError(
        f"remote URL {url!r} is not a GitHub repository; mybinder's gh provider needs one of "
        "https://github.com/OWNER/REPO, git@github.com:OWNER/REPO or "
        "ssh://git@github.com/OWNER/REPO"
    )


def remote_url(repo: Path, remote: str) -> str:
    """The URL of ``remote`` in the git repository at ``repo``."""
    done = subprocess.run(
        ["git", "-C", str(repo), "remote", "get-url", remote],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BadgeError(
            f"git has no remote {remote!r} in {repo} ({done.stderr.strip()}); add one with "
            "`git remote add origin https://github.com/OWNER/REPO` or pass --repo OWNER/REPO"
        )
    return done.stdout.strip()


def badge_slug(readme_text: str) -> str:
    """The owner/name the README's Binder badge (and clone command) point at now."""
    slugs = []
    for what, link in (("Binder badge link", BADGE_LINK), ("git clone command", CLONE_LINK)):
        matches = link.findall(readme_text)
        if len(matches) != 1:
            raise BadgeError(f"README.md should hold exactly one {what}, found {len(matches)}")
        slugs.append(matches[0][1])
    if slugs[0] != slugs[1]:
        raise BadgeError(f"the Binder badge names {slugs[0]!r} but the clone command {slugs[1]!r}")
    return slugs[0]


def fill_badge(readme_text: str, slug: str) -> str:
    """README text with the Binder badge pointing at ``slug`` (``owner/name``)."""
    if not _SLUG.match(slug):
        raise BadgeError(f"repository {slug!r} is not of the form OWNER/REPO")
    badge_slug(readme_text)
    for link in (BADGE_LINK, CLONE_LINK):
        readme_text = link.sub(lambda m: f"{m.group(1)}{slug}{m.group(3)}", readme_text)
    return readme_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--remote", default="origin", help="git remote to read (default: origin)")
    parser.add_argument("--repo", help="OWNER/REPO to use instead of reading a remote")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: here)")
    parser.add_argument("--check", action="store_true", help="print the badge's OWNER/REPO only")
    args = parser.parse_args(argv)
    readme = args.root / "README.md"
    try:
        text = readme.read_text(encoding="utf-8")
        if args.check:
            print(badge_slug(text))
            return 0
        slug = args.repo or slug_from_remote_url(remote_url(args.root, args.remote))
        new = fill_badge(text, slug)
    except BadgeError as error:
        print(f"binder_badge: {error}", file=sys.stderr)
        return 2
    if new != text:
        readme.write_text(new, encoding="utf-8")
    print(f"Binder badge -> https://mybinder.org/v2/gh/{slug}/HEAD")
    return 0


if __name__ == "__main__":
    sys.exit(main())
