"""What the pages keep per user: saved views of a list (a name and its query string)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A user's named view of a list page: its filters, search and sort as a query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    page = models.CharField(max_length=32, help_text="The list it belongs to, e.g. leads")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True, help_text="Without the leading ?")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "name"], name="saved_view_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.page} · {self.name}"
