"""The inbox's small forms: each parses one action's input strictly."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from revloop.engine.vocabulary import BuyingRole
from revloop.feedback.models import ActivityKind, ActivityOutcome, HeardKind


class AcceptForm(forms.Form):
    note = forms.CharField(max_length=4000, required=False)


class VerdictForm(forms.Form):
    """``reason`` is ``reject:<code>`` or ``disqualify:<code>`` (the two lists of the contract)."""

    reason = forms.RegexField(regex=r"^(reject|disqualify):[a-z0-9_]+$", max_length=80)
    note = forms.CharField(max_length=4000, required=False)
    #: With ``misinformed``: what the lead believed (a catalog fact id or words).
    belief = forms.CharField(max_length=4000, required=False)

    def verdict(self) -> tuple[str, str]:
        verdict, code = self.cleaned_data["reason"].split(":", 1)
        return verdict, code


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=ActivityKind.choices)
    outcome = forms.ChoiceField(choices=ActivityOutcome.choices, required=False)
    at = forms.DateTimeField(required=False, help_text="in your time zone; empty for now")
    note = forms.CharField(max_length=4000, required=False)

    def moment(self, zone: str) -> datetime | None:
        """``at`` read in the user's time zone (browsers send local time without a zone)."""
        value: datetime | None = self.cleaned_data.get("at")
        if value is None:
            return None
        local = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        return local.replace(tzinfo=zoneinfo.ZoneInfo(zone))


class HeardForm(forms.Form):
    kind = forms.ChoiceField(choices=HeardKind.choices)
    text = forms.CharField(max_length=4000)
    topic = forms.CharField(max_length=100, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=4000)


class ConvertForm(forms.Form):
    name = forms.CharField(max_length=255)
    amount = forms.DecimalField(min_value=Decimal(0), max_digits=14, decimal_places=2)
    currency = forms.RegexField(regex=r"^[A-Za-z]{3}$")
    close_date = forms.DateField()
    role = forms.ChoiceField(
        choices=[(r.value, r.value.replace("_", " ")) for r in BuyingRole],
        initial=BuyingRole.CHAMPION.value,
        required=False,
    )


class ReassignForm(forms.Form):
    """``to`` is a username; empty lets the routing rules choose someone else."""

    to = forms.CharField(max_length=150, required=False)
    reason = forms.CharField(max_length=64, required=False)
