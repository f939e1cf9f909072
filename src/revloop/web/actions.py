"""Saving and deleting a user's views of a list page: each user keeps their own."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from revloop.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from revloop.feedback.leads import VIEW_KEYS
from revloop.users.models import User
from revloop.users.policy import require
from revloop.web.models import SavedView

#: The pages that have saved views, and the query keys each keeps.
VIEW_PAGES: dict[str, tuple[str, ...]] = {"leads": VIEW_KEYS}
#: A user keeps at most this many views per page.
MAX_VIEWS = 50


def do_save_view(user: User | None, page: str, name: str, query: str) -> SavedView:
    """Save (or overwrite) ``user``'s view ``name`` of ``page``: only its known keys are kept."""
    require(user, "people.read")
    assert user is not None
    keys = VIEW_PAGES.get(page)
    if keys is None:
        raise NotFoundError(f"no list page {page!r} keeps views")
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise InvalidInputError("name: give the view a name of 1 to 80 characters")
    parsed = QueryDict(query)
    kept = QueryDict(mutable=True)
    for key in keys:
        values = [v for v in parsed.getlist(key) if v]
        if values:
            kept.setlist(key, values)
    text = kept.urlencode()
    if len(text) > 2000:
        raise InvalidInputError("query: too long to save (2,000 characters at most)")
    with transaction.atomic():
        existing = SavedView.objects.select_for_update().filter(user=user, page=page, name=name)
        view = existing.first()
        if view is not None:
            SavedView.objects.filter(pk=view.pk).update(query=text)
            view.query = text
            return view
        if SavedView.objects.filter(user=user, page=page).count() >= MAX_VIEWS:
            raise InvalidInputError(f"name: {MAX_VIEWS} saved views at most; delete one first")
        return SavedView.objects.create(
            user=user, page=page, name=name, query=text, created_at=timezone.now()
        )


def do_delete_view(user: User | None, view_id: int) -> None:
    """Delete one of ``user``'s own views; another user's is refused."""
    require(user, "people.read")
    assert user is not None
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(pk=view_id).first()
        if view is None:
            raise NotFoundError(f"no saved view {view_id}")
        if view.user_id != user.pk:
            raise ForbiddenError(f"saved view {view_id} is another user's")
        view.delete()


def saved_views(user: User, page: str) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user, page=page).order_by("name"))
