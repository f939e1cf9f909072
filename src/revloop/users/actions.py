"""Changes to accounts (API tokens, roles) and the audit trail every action writes.

``by`` None is the operator at the server's console (``revloop token create``), who
already holds the database; every other caller is a signed-in user, checked here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from revloop.core.errors import InvalidInputError, NotFoundError
from revloop.engine.vocabulary import Role
from revloop.users.models import ApiToken, AuditEntry, TokenScope, User
from revloop.users.policy import require

_ROLE_NAMES = frozenset(role.value for role in Role)


def record_audit(
    actor: User | None,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Write one entry; ``actor`` None means revloop itself (a rule, the worker)."""
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )


def record_audit_many(
    actor: User | None,
    action: str,
    object_type: str,
    entries: Iterable[tuple[object, dict[str, Any]]],
    *,
    at: datetime | None = None,
) -> int:
    """One entry per (object id, detail), written in bulk (a routing run of thousands)."""
    when = at or timezone.now()
    rows = [
        AuditEntry(
            at=when,
            actor=actor if actor is not None and actor.pk else None,
            actor_name=actor.get_username() if actor is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
        for object_id, detail in entries
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _check_admin_or_self(by: User | None, user: User, what: str) -> None:
    if by is None or (by.is_active and by.pk == user.pk):
        return
    require(by, "admin.manage", what=f"{what} for {user.username}")


def do_create_token(
    by: User | None, user: User, name: str, scope: str = TokenScope.FULL
) -> tuple[ApiToken, str]:
    """Issue a token acting as ``user``; the raw secret is returned once, never kept."""
    _check_admin_or_self(by, user, "create a token")
    if scope not in TokenScope.values:
        raise InvalidInputError(f"scope: use one of {', '.join(TokenScope.values)}")
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name, scope)
        record_audit(
            by,
            "token.created",
            object_type="token",
            object_id=token.prefix,
            detail={"user": user.username, "scope": scope, "name": name},
        )
    return token, raw


def do_revoke_token(by: User | None, prefix: str) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or token.revoked_at is not None:
        raise NotFoundError(f"no active token with prefix {prefix!r}")
    _check_admin_or_self(by, token.user, "revoke a token")
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(
            by,
            "token.revoked",
            object_type="token",
            object_id=prefix,
            detail={"user": token.user.username},
        )
    return token


def do_set_roles(by: User | None, user: User, roles: Collection[str]) -> frozenset[str]:
    """Give ``user`` exactly ``roles``; admins only. Returns the roles as they are now."""
    if by is not None:
        require(by, "admin.manage", what=f"change {user.username}'s roles")
    unknown = set(roles) - _ROLE_NAMES
    if unknown:
        raise InvalidInputError(f"roles: unknown {', '.join(sorted(unknown))}")
    with transaction.atomic():
        before = user.roles
        user.groups.set(Group.objects.filter(name__in=roles))
        record_roles_changed(by, user, before, frozenset(roles))
    return frozenset(roles)


def record_roles_changed(
    by: User | None, user: User, before: frozenset[str], after: frozenset[str]
) -> None:
    """The audit entry of a role change made elsewhere (the admin's user form)."""
    if before == after:
        return
    record_audit(
        by,
        "user.roles_changed",
        object_type="user",
        object_id=user.pk,
        detail={
            "username": user.username,
            "added": sorted(after - before),
            "removed": sorted(before - after),
        },
    )


def do_record_token_use(token: ApiToken, now: datetime) -> None:
    """Stamp the token's last use and put the use on the audit trail (the caller asks
    at most once a minute per token, so a read does not turn into a write each call)."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        record_audit(token.user, "token.used", object_type="token", object_id=token.prefix, at=now)
