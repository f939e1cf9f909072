"""Django's model backend, with a signed-in user's groups read as they are loaded."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends

from revloop.users.models import User


class ModelBackend(backends.ModelBackend):
    """A page asks for its user's roles several times (the navigation, the page's own
    permission, each action offered on it); groups loaded with the user answer all of
    those from memory. Changing the user's groups drops the loaded set, as Django does
    for any prefetched relation."""

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.prefetch_related("groups").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
