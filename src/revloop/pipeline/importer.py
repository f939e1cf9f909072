"""CSV import of opportunities (``revloop import opportunities FILE``).

Capture reads and validates the file and runs the import (:mod:`revloop.capture.importer`);
the pipeline, which owns opportunities, matches each row to its account, contact and
stored opportunity here and stores them in its actions. It registers its writer when Django
starts (``PipelineConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from datetime import time as clock_time
from typing import Any

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from revloop.capture.importer import (
    ImportSummary,
    Writer,
    kept_properties,
    register_writer,
)
from revloop.core.values import fill_known
from revloop.engine.identity.accounts import AccountMatcher, PersonToMatch
from revloop.engine.identity.email import normalize_email
from revloop.engine.imports import ImportOptions, OpportunityRecord
from revloop.people.identity import cached_account_matcher
from revloop.people.models import Account, Person
from revloop.pipeline.actions import do_store_imported_opportunities
from revloop.pipeline.models import Opportunity


class OpportunityWriter(Writer):
    """Opportunities a batch at a time: every lookup is one query per batch."""

    def __init__(self, summary: ImportSummary, now: datetime, options: ImportOptions) -> None:
        super().__init__(summary, now, options)
        self._matcher: AccountMatcher | None = None
        self._fuzzy: dict[str, int | None] = {}
        self.today = timezone.localtime(now, options.default_tz).date()

    def write(self, records: Sequence[OpportunityRecord]) -> None:
        accounts = self._accounts(records)
        contacts = self._contacts(records)
        existing = self._existing(records)
        new: dict[int, tuple[Opportunity, datetime]] = {}  # id(opportunity) -> (it, created)
        updated: dict[int, tuple[Opportunity, dict[str, Any], set[str]]] = {}
        for record in records:
            account_id = accounts.get(record.row)
            contact_id, contact_source = contacts.get(record.row, (None, ""))
            values = self._values(record, account_id, contact_id, contact_source)
            key = _opportunity_key(record.external_id, record.name, account_id)
            opportunity = existing.get(key)
            if opportunity is None:
                created_at = record.created_at or values["closed_at"] or self.now
                opportunity = Opportunity(
                    created_at=created_at, **{k: v for k, v in values.items() if v is not None}
                )
                existing[key] = opportunity
                new[id(opportunity)] = (opportunity, created_at)
                self.count("created")
                continue
            # What the file did not say leaves what is stored alone (fill_known skips None).
            if not record.amount_given:
                values["amount"] = None
            if record.close_date is None:
                values["close_date"] = None
            if id(opportunity) in new:  # a second row of one opportunity in this batch
                names = fill_known(opportunity, values)
                self.count("updated" if names else "unchanged")
                continue
            before = {
                "stage": opportunity.stage,
                "amount": opportunity.amount,
                "close_date": opportunity.close_date,
            }
            if id(opportunity) in updated:
                before = updated[id(opportunity)][1]
            names = fill_known(opportunity, values)
            if names:
                entry = updated.setdefault(id(opportunity), (opportunity, before, set()))
                entry[2].update(names)
            self.count("updated" if names else "unchanged")
        do_store_imported_opportunities(list(new.values()), list(updated.values()), self.now)

    def _values(
        self,
        record: OpportunityRecord,
        account_id: int | None,
        contact_id: int | None,
        contact_source: str,
    ) -> dict[str, Any]:
        owner_id = self.users.find(record.owner)
        properties = kept_properties(record, owner_id=owner_id)
        if record.account_name and account_id is None:
            # No account of that name yet: the name stays, under the file's own header.
            properties.setdefault(record.account_name_column or "account_name", record.account_name)
        closed_at = record.closed_at
        if record.stage.is_closed and closed_at is None:
            closed_on = record.close_date or self.today
            closed_at = datetime.combine(closed_on, clock_time(0), tzinfo=self.options.default_tz)
        return {
            "name": record.name,
            "account_id": account_id,
            "primary_contact_id": contact_id,
            "amount": record.amount,
            "currency": record.currency,
            "stage": record.stage.value,
            "close_date": record.close_date or self.today,
            "owner_id": owner_id,
            # The deal's own lead source; else the first-touch source of its person.
            "source": record.source or contact_source,
            "closed_at": closed_at,
            "outcome_reason": record.outcome_reason,
            "competitor": record.competitor,
            "external_id": record.external_id,
            "properties": properties,
        }

    def _accounts(self, records: Sequence[OpportunityRecord]) -> dict[int, int]:
        """Row → account id, by the account's external id, else its name (exact, then fuzzy)."""
        ext = {r.account_external_id for r in records if r.account_external_id}
        by_ext = dict(Account.objects.filter(external_id__in=ext).values_list("external_id", "id"))
        names = {r.account_name.casefold() for r in records if r.account_name}
        by_name: dict[str, int] = {}
        for lname, account_id in (
            Account.objects.annotate(lname=Lower("name"))
            .filter(lname__in=names)
            .order_by("id")
            .values_list("lname", "id")
        ):
            by_name.setdefault(lname, account_id)
        found: dict[int, int] = {}
        for record in records:
            pk = by_ext.get(record.account_external_id) if record.account_external_id else None
            if pk is None and record.account_name:
                pk = by_name.get(record.account_name.casefold()) or self._fuzzy_account(
                    record.account_name
                )
            if pk is not None:
                found[record.row] = pk
        return found

    def _fuzzy_account(self, name: str) -> int | None:
        if name not in self._fuzzy:
            if self._matcher is None:
                self._matcher = cached_account_matcher()
            match = self._matcher.match(PersonToMatch(company=name))
            self._fuzzy[name] = int(match.account_id) if match.account_id is not None else None
        return self._fuzzy[name]

    def _contacts(self, records: Sequence[OpportunityRecord]) -> dict[int, tuple[int, str]]:
        """Row → (person id, person's source), by contact email, else the person's external id."""
        keys = {
            r.row: normalize_email(r.contact_email).canonical for r in records if r.contact_email
        }
        by_key = {
            key: (pk, source)
            for key, pk, source in Person.objects.filter(
                email_key__in=set(keys.values())
            ).values_list("email_key", "id", "source")
        }
        ext = {r.contact_external_id for r in records if r.contact_external_id}
        by_ext: dict[str, tuple[int, str]] = {}
        for external_id, pk, source in (
            Person.objects.filter(external_id__in=ext)
            .order_by("id")
            .values_list("external_id", "id", "source")
        ):
            by_ext.setdefault(external_id, (pk, source))
        found: dict[int, tuple[int, str]] = {}
        for record in records:
            person = by_key.get(keys.get(record.row, "")) or by_ext.get(record.contact_external_id)
            if person is not None:
                found[record.row] = person
        return found

    def _existing(self, records: Sequence[OpportunityRecord]) -> dict[tuple[Any, ...], Opportunity]:
        """The stored opportunities these rows may be, under the keys rows look them up by."""
        ext = {r.external_id for r in records if r.external_id}
        names = {r.name for r in records if not r.external_id}
        found: dict[tuple[Any, ...], Opportunity] = {}
        query = Q(external_id__in=ext) | Q(name__in=names)
        # Newest first, so that the oldest of several namesakes is the one kept.
        for opportunity in Opportunity.objects.filter(query).order_by("-id"):
            if opportunity.external_id in ext:
                found[("id", opportunity.external_id)] = opportunity
            if opportunity.name in names:
                found[("name", opportunity.name, opportunity.account_id)] = opportunity
        return found


def _opportunity_key(external_id: str, name: str, account_id: int | None) -> tuple[Any, ...]:
    return ("id", external_id) if external_id else ("name", name, account_id)


register_writer("opportunities", OpportunityWriter)
