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

from django.db import IntegrityError, transaction
from django.utils import timezone

from revloop.contracts.models import (
    ContractEvent,
    ContractEventKind,
    ContractStatus,
    ContractVersion,
)
from revloop.core.bounds import parse_id
from revloop.core.errors import NotFoundError, RevloopError
from revloop.engine.contract import (
    Contract,
    contract_digest,
    default_contract_text,
    parse_contract,
)

DEFAULT_SOURCE = "default.yaml"


def active_version() -> ContractVersion:
    """The version in force, installing the shipped default when there is none yet."""
    found = ContractVersion.objects.filter(status=ContractStatus.ACTIVE).first()
    if found is not None:
        return found
    return _install_default()


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


def _install_default() -> ContractVersion:
    text = default_contract_text()
    contract = parse_contract(text, source=DEFAULT_SOURCE)
    now = timezone.now()
    try:
        with transaction.atomic():
            if ContractVersion.objects.exists():
                raise RevloopError(
                    "no contract version is active; activate one with `revloop contract approve`"
                )
            version = ContractVersion.objects.create(
                number=1,
                name=contract.name,
                text=text,
                digest=contract_digest(contract),
                status=ContractStatus.ACTIVE,
                note="The contract shipped with revloop, installed on first use.",
                proposed_at=now,
                activated_at=now,
            )
            for kind in (ContractEventKind.PROPOSED, ContractEventKind.ACTIVATED):
                ContractEvent.objects.create(
                    version=version,
                    kind=kind,
                    at=now,
                    note="installed by revloop: no contract had been signed yet",
                )
    except IntegrityError:
        # Another process installed it at the same moment: theirs is as good as ours.
        return ContractVersion.objects.get(status=ContractStatus.ACTIVE)
    return version
