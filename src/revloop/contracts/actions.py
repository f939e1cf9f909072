"""Proposing, approving and activating contract versions.

The rule both teams sign up to: a draft becomes the active contract only when a user
with the ``marketing`` role and a *different* user with the ``sales_manager`` role
have both approved it. One person holding both roles signs once and counts for one
side only. The ``admin`` role (and Django's superuser flag) signs for neither team:
an administrator runs revloop, but does not decide for Marketing or for Sales.

Activating supersedes the version that was active, and withdraws the other drafts
that were proposed against it: their diffs no longer describe what they would
change (the new version would be silently undone), so they must be proposed again
against the new one. Then every person is rescored under the new contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from revloop.contracts.models import (
    ContractApproval,
    ContractEvent,
    ContractEventKind,
    ContractStatus,
    ContractVersion,
)
from revloop.contracts.versions import active_contract, contract_of, get_version
from revloop.core.errors import InvalidInputError, RevloopError
from revloop.core.signals import contract_activated
from revloop.engine.contract import (
    ContractError,
    check_contract,
    contract_digest,
    default_contract_text,
    diff_contracts,
    parse_contract,
)
from revloop.engine.vocabulary import Role
from revloop.users.actions import record_audit
from revloop.users.models import User
from revloop.users.policy import require

#: The two signatures a version needs, one per team (the policy's ``contract.approve``).
SIGNING_ROLES: tuple[Role, ...] = (Role.MARKETING, Role.SALES_MANAGER)


def user_roles(user: User) -> list[str]:
    """The user's roles as groups say, ignoring the superuser flag: signatures are explicit."""
    return sorted(user.groups.values_list("name", flat=True))


def validate_text(text: str, source: str) -> tuple[ContractError, ...]:
    _, errors = check_contract(text, source)
    return errors


def do_propose_contract(
    text: str, *, by: User | None, source: str = "contract.yaml", note: str = ""
) -> ContractVersion:
    """Store ``text`` as a new draft, with its diff against the active version."""
    if by is not None:
        require(by, "contract.propose")
    contract, errors = check_contract(text, source)
    if contract is None:
        listed = "; ".join(str(error) for error in errors)
        raise InvalidInputError(f"{len(errors)} errors in {source}: {listed}")
    digest = contract_digest(contract)
    with transaction.atomic():
        base, base_contract = active_contract()
        same = (
            ContractVersion.objects.filter(
                digest=digest, status__in=[ContractStatus.ACTIVE, ContractStatus.DRAFT]
            )
            .order_by("number")
            .first()
        )
        if same is not None:
            raise InvalidInputError(
                f"{source} means exactly what v{same.number} ({same.status}) says;"
                " nothing to propose"
            )
        diff = diff_contracts(base_contract, contract)
        number = (ContractVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        now = timezone.now()
        version = ContractVersion.objects.create(
            number=number,
            name=contract.name,
            text=text,
            digest=digest,
            status=ContractStatus.DRAFT,
            note=note,
            proposed_by=by,
            proposed_at=now,
            base=base,
            diff=diff.to_dict(),
            diff_text=diff.render(),
        )
        ContractEvent.objects.create(
            version=version,
            kind=ContractEventKind.PROPOSED,
            at=now,
            by_user=by,
            note=f"{len(diff.changes)} changes from v{base.number}",
        )
    return version


@dataclass(frozen=True)
class ApprovalOutcome:
    version: ContractVersion
    approval: ContractApproval
    activated: bool
    missing: tuple[str, ...]
    rescored: int | None = None


def do_approve_contract(number: int | str, *, by: User) -> ApprovalOutcome:
    """Sign a draft; the signature that completes both teams' activates it."""
    # Admins sign for neither team: a signature is a team's, so the superuser flag
    # gives none either (the policy reads it as admin).
    require(by, "contract.approve")
    with transaction.atomic():
        version = _locked(number)
        if version.status != ContractStatus.DRAFT:
            raise InvalidInputError(
                f"v{version.number} is {version.status}; only drafts can be approved"
            )
        active = ContractVersion.objects.get(status=ContractStatus.ACTIVE)
        if version.base_id != active.pk:
            raise InvalidInputError(
                f"v{version.number} was proposed against v{_number(version.base_id)}, but"
                f" v{active.number} is active now; propose it again against v{active.number}"
            )
        if version.approvals.filter(user=by).exists():
            raise InvalidInputError(f"{by.username} has already approved v{version.number}")
        now = timezone.now()
        approval = ContractApproval.objects.create(
            version=version, user=by, roles=user_roles(by), at=now
        )
        missing = missing_signatures(version)
        record_audit(
            by,
            "contract.approved",
            object_type="contract",
            object_id=version.number,
            detail={"roles": approval.roles, "activates": not missing},
            at=now,
        )
        if not missing:
            _activate(version, active, by=by, at=now)
    rescored = None
    if not missing:
        # Scoring rescores everyone under the new contract and says how many it scored.
        # Django hands back whatever a receiver returns; django-stubs says str | None.
        answers = cast(
            "list[tuple[Any, object]]",
            contract_activated.send(sender=ContractVersion, number=version.number),
        )
        rescored = sum(answer for _, answer in answers if isinstance(answer, int))
        version.refresh_from_db()
    return ApprovalOutcome(version, approval, not missing, missing, rescored)


def missing_signatures(version: ContractVersion) -> tuple[str, ...]:
    """The teams whose signature the version still lacks ("marketing", "sales_manager").

    Two *different* users must cover the two roles; a user holding both can fill
    either side, but not both.
    """
    signers = [
        (approval.user_id, set(approval.roles))
        for approval in version.approvals.all().order_by("at", "id")
    ]
    marketing, sales = Role.MARKETING.value, Role.SALES_MANAGER.value
    for user_a, roles_a in signers:
        if marketing not in roles_a:
            continue
        for user_b, roles_b in signers:
            if user_b != user_a and sales in roles_b:
                return ()
    has_marketing = any(marketing in roles for _, roles in signers)
    has_sales = any(sales in roles for _, roles in signers)
    if has_marketing and has_sales:
        # One person holds both roles and is the only signer so far.
        return ("a second signer (the same person cannot sign for both teams)",)
    return tuple(
        role for role, present in ((marketing, has_marketing), (sales, has_sales)) if not present
    )


def do_withdraw_contract(number: int | str, *, by: User | None, note: str = "") -> ContractVersion:
    """Take a draft off the table; the proposer or either team's owner may."""
    with transaction.atomic():
        version = _locked(number)
        if by is not None and version.proposed_by_id != by.pk:
            require(by, "contract.withdraw", what=f"v{version.number}, not theirs")
        if version.status != ContractStatus.DRAFT:
            raise InvalidInputError(
                f"v{version.number} is {version.status}; only drafts can be withdrawn"
            )
        _set_status(version, ContractEventKind.WITHDRAWN, at=timezone.now(), by=by, note=note)
    version.refresh_from_db()
    return version


def diff_versions(old: int | str, new: int | str) -> dict[str, Any]:
    """What changes from version ``old`` to version ``new``."""
    before, after = get_version(old), get_version(new)
    diff = diff_contracts(contract_of(before), contract_of(after))
    return {"from": before.number, "to": after.number, **diff.to_dict(), "text": diff.render()}


def _activate(version: ContractVersion, previous: ContractVersion, *, by: User, at: Any) -> None:
    signers = ", ".join(
        f"{a.user.username} ({'+'.join(r for r in a.roles if r in _SIGNING)})"
        for a in version.approvals.select_related("user").order_by("at", "id")
    )
    _set_status(
        previous, ContractEventKind.SUPERSEDED, at=at, by=by, note=f"replaced by v{version.number}"
    )
    _set_status(version, ContractEventKind.ACTIVATED, at=at, by=by, note=f"signed by {signers}")
    stale = ContractVersion.objects.filter(status=ContractStatus.DRAFT, base=previous)
    for draft in stale.exclude(pk=version.pk).order_by("number"):
        _set_status(
            draft,
            ContractEventKind.WITHDRAWN,
            at=at,
            by=None,
            note=(
                f"v{version.number} became active first; this draft changed v{previous.number}"
                f" and would undo v{version.number}: propose it again"
            ),
        )


_SIGNING = {role.value for role in SIGNING_ROLES}

#: What each event makes of a version: its new status and the time field it sets.
_EVENT_STATUS = {
    ContractEventKind.ACTIVATED: (ContractStatus.ACTIVE, "activated_at"),
    ContractEventKind.SUPERSEDED: (ContractStatus.SUPERSEDED, "ended_at"),
    ContractEventKind.WITHDRAWN: (ContractStatus.WITHDRAWN, "ended_at"),
}


def _set_status(
    version: ContractVersion, kind: ContractEventKind, *, at: Any, by: User | None, note: str
) -> None:
    """Move ``version`` on as the event ``kind`` says, and record the event beside it."""
    status, stamp = _EVENT_STATUS[kind]
    ContractVersion.objects.filter(pk=version.pk).update(status=status, **{stamp: at})
    ContractEvent.objects.create(version=version, kind=kind, at=at, by_user=by, note=note)


def _locked(number: int | str) -> ContractVersion:
    version = get_version(number)
    return ContractVersion.objects.select_for_update().get(pk=version.pk)


def _number(pk: int | None) -> str:
    if pk is None:
        return "?"
    return str(ContractVersion.objects.values_list("number", flat=True).get(pk=pk))


#: The name the shipped contract is parsed under.
DEFAULT_SOURCE = "default.yaml"


def do_install_default_contract() -> ContractVersion:
    """Install the contract shipped with revloop as version 1, active at once (the first
    read of a database that has none)."""
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
