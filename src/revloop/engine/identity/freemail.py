"""Free-mail and ISP domains: an address there says nothing about the person's employer.

The list lives in ``freemail_domains.txt`` next to this module (its header says where it
comes from and how to update it). A domain counts as free mail when it, or a parent of
it, is on the list, so ``mail.yahoo.co.jp`` is caught by ``yahoo.co.jp``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

DATA_FILE = "freemail_domains.txt"


def parse_domain_list(lines: Iterable[str]) -> frozenset[str]:
    """Domains from a list file: one per line, ``#`` starts a comment, blank lines skipped."""
    domains: set[str] = set()
    for line in lines:
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            domains.add(entry)
    return frozenset(domains)


@cache
def free_mail_domains() -> frozenset[str]:
    """The packaged list, read once per process."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_domain_list(text.splitlines())


def load_domain_list(path: Path) -> frozenset[str]:
    """A user-supplied list in the same format, e.g. to add a regional ISP."""
    with path.open(encoding="utf-8") as handle:
        return parse_domain_list(handle)


def is_free_mail_domain(domain: str, domains: frozenset[str] | None = None) -> bool:
    """True when ``domain`` (lower-case ASCII) or one of its parents is a free-mail domain."""
    listed = free_mail_domains() if domains is None else domains
    candidate = domain
    while True:
        if candidate in listed:
            return True
        _, dot, rest = candidate.partition(".")
        if not dot or "." not in rest:
            return False
        candidate = rest
