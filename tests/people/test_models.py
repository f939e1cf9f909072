"""People and touches keep their identities unique."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests import factories


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case() -> None:
    factories.person(email="Ada.Lovelace@Example.com", email_key="k1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.person(email="ada.lovelace@example.COM", email_key="k2")


@pytest.mark.django_db
def test_one_mailbox_is_one_person() -> None:
    factories.person(email="jo.doe@gmail.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.person(email="jodoe+news@gmail.com")


@pytest.mark.django_db
def test_different_emails_coexist() -> None:
    factories.person(email="ada@example.com")
    factories.person(email="grace@example.com")


@pytest.mark.django_db
def test_event_id_is_stored_once() -> None:
    factories.touch(event_id="evt-42")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.touch(event_id="evt-42")


@pytest.mark.django_db
def test_erasing_a_person_keeps_their_touches_anonymous() -> None:
    subject = factories.person()
    kept = factories.touch(person=subject)
    subject.delete()
    kept.refresh_from_db()
    assert kept.person_id is None
