"""Which contract is in force, and the parsed form of any stored version.

Every database has exactly one active version from the first moment anything asks
for it: when none exists yet, the contract shipped with revloop is installed as
version 1, active at once, with a log entry saying so. Installing on first use
(rather than in a migration) keeps migrations free of data and covers databases
created before this app existed; the demo seed asks for it while seeding, so the
demo company's history starts with the contract recorded.
"""

from __future__ import annotations

from functools import lru_cache

from revloop.contracts.models import ContractStatus, ContractVersion
from revloop.core.bounds import parse_id
from revloop.core.errors import NotFoundError
from revloop.engine.contract import Contract, parse_contract


def active_version() -> ContractVersion:
    """The version in force, installing the shipped default when there is none yet."""
    found = ContractVersion.objects.filter(status=ContractStatus.ACTIVE).first()
    if found is not None:
        return found
    # Imported here: the actions read the version in force through this module.
    from revloop.contracts.actions import do_install_default_contract

    return do_install_default_contract()


def active_contract() -> tuple[ContractVersion, Contract]:
    version = active_version()
    return version, contract_of(version)


def contract_of(version: ContractVersion) -> Contract:
    """The parsed contract of a stored version (parsed once per process)."""
    return _parse(version.number, version.digest, version.text)


@lru_cache(maxsize=32)
def _parse(number: int, digest: str, text: str) -> Contract:
    del digest  # part of the cache key, with the text that never changes
    return parse_contract(text, source=f"v{number}")


def get_version(number: int | str) -> ContractVersion:
    """A version by its number (``3`` or ``v3``)."""
    text = str(number).strip().lower().removeprefix("v")
    if (wanted := parse_id(text)) is None:
        raise NotFoundError(f"{number!r} is not a version number (like 3 or v3)")
    found = ContractVersion.objects.filter(number=wanted).first()
    if found is None:
        raise NotFoundError(f"there is no contract version {wanted}")
    return found
