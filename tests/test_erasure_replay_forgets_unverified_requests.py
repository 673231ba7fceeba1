"""After a restore, ``erasure_replay`` also scrubs the requests never verified (so matched to nobody) that hold the
address of someone it erases again, or an address the journal names: a restored backup brings such a request back
with the address in it, and nothing ties it to the subject the engine erases. Retention offers the registry
(``journal.forgetter_add``); rights plugs its requests in from ``RightsConfig.ready``."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from retention import engine, journal
from retention.models import ErasureRecord
from rights.models import RightsRequest
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import database_text, person_with_copies
from tests.test_erasure_journal_and_replay import _restore, _snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # Replay asks the vendors again after commit; here the sends are not enqueued anywhere.
    monkeypatch.setattr("retention.followups.enqueue", lambda ids: None)


def _replay(*flags: str) -> str:
    out = io.StringIO()
    call_command("erasure_replay", "--since", "2020-01-01", *flags, stdout=out)
    return out.getvalue()


def _address(person) -> str:
    return person.subject.email


def test_a_restored_unverified_request_of_an_erased_person_loses_the_address():
    person = person_with_copies(tag="rq")
    engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    # The backup restored holds the request they made and never verified (it names them by address only).
    restored = f.RightsRequestFactory(organisation=person.subject.organisation,
                                      email=f"  {_address(person).upper()} ", details="Please erase me")
    other = f.RightsRequestFactory(organisation=person.subject.organisation)

    assert "1 other row" in _replay("--dry-run")
    assert RightsRequest.objects.get(pk=restored.pk).email is not None  # a dry run changes nothing
    _replay()

    restored.refresh_from_db()
    assert restored.email is None and restored.details == ""
    assert not RightsRequest.history.filter(id=restored.pk, email__isnull=False).exists()
    assert RightsRequest.objects.get(pk=other.pk).email == other.email  # someone else's stays
    assert _address(person).lower() not in database_text()


def test_replay_scrubs_the_unverified_requests_of_the_people_it_erases_again():
    person = person_with_copies(tag="rr")
    request = f.RightsRequestFactory(organisation=person.subject.organisation, email=_address(person))
    backup = _snapshot()
    engine.subject_erase(subject=person.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST)
    _restore(backup)  # the person and their unverified request are back
    assert DataSubject.objects.get(pk=person.subject.pk).state == DataSubject.State.ACTIVE

    result = journal.erasure_replay(since=None)

    assert result.erased == 1 and result.forgotten == 1
    assert RightsRequest.objects.get(pk=request.pk).email is None
    text = database_text()
    assert not [identifier for identifier in person.identifiers if identifier in text]
