"""Consent given, withdrawn and given again: one current-state row per person and purpose, every change an
appended event with its evidence; double opt-in is not consent until confirmed; withdrawal starts the retention
clock and the rights app's consent withdrawal reaches it; erasure scrubs the evidence."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from consent import selectors, services
from consent.models import ConsentEvent, ConsentRecord, Method
from privacy_registry.models import LegalBasis
from retention import engine
from retention.models import ErasureRecord
from rights import services as rights_services
from rights.models import Outcome, RequestType, Status
from subjects import consent_withdrawers
from subjects.models import Engagement
from tests import factories as f

pytestmark = pytest.mark.django_db

EVIDENCE = services.Evidence.of(ip="203.0.113.77", user_agent="Mozilla/5.0 (X11; Linux x86_64) " + "x" * 400)


@pytest.fixture
def enqueued(monkeypatch):
    sent: list[tuple] = []
    monkeypatch.setattr(services, "enqueue", lambda name, *args: sent.append((name, *args)))
    return sent


def _event_rows(record):
    return list(ConsentEvent.objects.filter(record=record).order_by("pk").values())


def test_evidence_keeps_the_network_not_the_address_and_a_short_user_agent():
    assert services.truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert services.truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert services.truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert services.truncate_ip("not an address") == ""
    assert len(EVIDENCE.user_agent) == 300


def test_give_withdraw_and_give_again_keep_one_current_row_and_append_three_events():
    purpose = f.ConsentPurposeFactory()
    subject = f.DataSubjectFactory(organisation=purpose.organisation)

    given = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM, evidence=EVIDENCE)
    assert given.state == ConsentRecord.State.GIVEN and given.in_force
    first_event = _event_rows(given)
    assert services.consent_withdraw(record=given, method=Method.FORM, evidence=EVIDENCE) is True
    assert services.consent_withdraw(record=given, method=Method.FORM) is False  # nothing left to withdraw
    again = services.consent_give(purpose=purpose, subject=subject, method=Method.PAPER)

    assert ConsentRecord.objects.filter(subject=subject, purpose=purpose).count() == 1
    record = ConsentRecord.objects.get(pk=given.pk)
    assert again.pk == record.pk and record.state == ConsentRecord.State.GIVEN and record.withdrawn_at is None
    events = _event_rows(record)
    assert [e["kind"] for e in events] == ["given", "withdrawn", "given"]
    # Appended, never rewritten: the first event reads exactly as it did before the later changes.
    assert events[0] == first_event[0]
    assert events[0]["ip_prefix"] == "203.0.113.0/24" and events[0]["wording_hash"] == purpose.wording_hash
    assert selectors.records_in_force(purpose=purpose).get() == record


def test_giving_the_same_consent_twice_records_nothing_new():
    purpose = f.ConsentPurposeFactory()
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    assert ConsentEvent.objects.filter(subject=subject).count() == 1


def test_the_services_never_update_or_delete_an_event(monkeypatch):
    purpose = f.ConsentPurposeFactory()
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    writes: list[str] = []
    for name in ("save", "delete"):
        original = getattr(ConsentEvent, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            if self.pk is not None or _name == "delete":
                writes.append(f"{_name} #{self.pk}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(ConsentEvent, name, spy)
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    services.consent_withdraw(record=record, method=Method.FORM)
    services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    purpose.wording = "New words."
    services.purpose_save(purpose=purpose)
    services.consent_confirm(record=record)
    assert ConsentEvent.objects.filter(record=record).count() == 4
    assert writes == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_database_refuses_to_rewrite_an_event_but_lets_erasure_scrub_it():
    purpose = f.ConsentPurposeFactory()
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM, evidence=EVIDENCE)
    event = record.events.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(kind=ConsentEvent.Kind.WITHDRAWN)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentEvent.objects.filter(pk=event.pk).update(at=timezone.now())
    assert ConsentEvent.objects.filter(pk=event.pk).update(ip_prefix="", user_agent="") == 1
    assert ConsentEvent.objects.get(pk=event.pk).kind == ConsentEvent.Kind.GIVEN


def test_double_opt_in_is_not_consent_until_confirmed(enqueued, django_capture_on_commit_callbacks):
    purpose = f.ConsentPurposeFactory(double_opt_in=True)
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        record = services.consent_give(purpose=purpose, subject=subject, method=Method.DOUBLE_OPT_IN)
    assert record.state == ConsentRecord.State.PENDING and not record.in_force
    assert not selectors.records_in_force(purpose=purpose).exists()
    assert enqueued == [("confirmation_mail", record.pk)]

    confirmed = services.consent_confirm(record=record, evidence=EVIDENCE)
    assert confirmed.state == ConsentRecord.State.GIVEN and confirmed.confirmed_at is not None
    assert selectors.records_in_force(purpose=purpose).get() == record
    assert [e.kind for e in record.events.order_by("pk")] == ["requested", "confirmed"]


def test_a_withdrawn_consent_cannot_be_confirmed_by_an_old_link():
    purpose = f.ConsentPurposeFactory(double_opt_in=True)
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.DOUBLE_OPT_IN)
    services.consent_withdraw(record=record, method=Method.EMAIL_LINK)
    assert services.consent_confirm(record=record) is None
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.WITHDRAWN


def test_an_audience_with_a_minimum_age_needs_the_age_confirmed():
    category = f.DataSubjectCategoryFactory(minimum_age=16, age_check="Asked on the form")
    purpose = f.ConsentPurposeFactory(subject_category=category)
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    with pytest.raises(ValidationError, match="16"):
        services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM, age_confirmed=True)
    assert record.events.get().age_confirmed is True


def _consent_in_activity():
    activity = f.ProcessingActivityFactory()
    register_purpose = f.PurposeFactory(activity=activity, legal_basis=LegalBasis.CONSENT)
    purpose = f.ConsentPurposeFactory(organisation=activity.organisation, register_purposes=[register_purpose])
    subject = f.DataSubjectFactory(organisation=activity.organisation)
    engagement = f.EngagementFactory(subject=subject, activity=activity)
    other = f.EngagementFactory(subject=subject)  # another activity: not based on this consent
    return purpose, subject, engagement, other


def test_withdrawal_starts_the_retention_clock_and_consenting_again_stops_it():
    purpose, subject, engagement, other = _consent_in_activity()
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    services.consent_withdraw(record=record, method=Method.EMAIL_LINK)
    assert Engagement.objects.get(pk=engagement.pk).unsubscribed_on == timezone.localdate()
    assert Engagement.objects.get(pk=other.pk).unsubscribed_on is None

    services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    assert Engagement.objects.get(pk=engagement.pk).unsubscribed_on is None


def test_the_rights_apps_consent_withdrawal_reaches_every_consent_of_the_person():
    purpose, subject, engagement, _other = _consent_in_activity()
    second = f.ConsentPurposeFactory(organisation=purpose.organisation)
    for p in (purpose, second):
        services.consent_give(purpose=p, subject=subject, method=Method.FORM)
    assert "consent" in consent_withdrawers.registered()

    withdrawn = consent_withdrawers.consents_withdraw(subject=subject, reason="request #7")

    assert withdrawn == {"consent": 2}
    assert not ConsentRecord.objects.filter(subject=subject, state=ConsentRecord.State.GIVEN).exists()
    assert set(ConsentEvent.objects.filter(kind="withdrawn").values_list("reason", "method")) == {
        ("request #7", Method.RIGHTS_REQUEST)}
    assert Engagement.objects.get(pk=engagement.pk).unsubscribed_on == timezone.localdate()


def test_erasing_the_person_scrubs_the_consent_evidence_and_keeps_the_proof():
    purpose = f.ConsentPurposeFactory()
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM, evidence=EVIDENCE)
    services.consent_withdraw(record=record, method=Method.FORM, evidence=EVIDENCE)

    engine.subject_erase(subject=subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST, request_ref="RR-1")

    events = list(ConsentEvent.objects.filter(record=record))
    assert len(events) == 2
    assert all(e.ip_prefix == "" and e.user_agent == "" for e in events)
    assert [e.kind for e in sorted(events, key=lambda e: e.pk)] == ["given", "withdrawn"]
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.WITHDRAWN



def test_a_rights_request_to_withdraw_consent_withdraws_the_persons_consents(django_capture_on_commit_callbacks):
    purpose = f.ConsentPurposeFactory()
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    request = f.RightsRequestFactory(
        organisation=purpose.organisation, subject=subject, email=subject.email, type=RequestType.CONSENT_WITHDRAWAL,
        status=Status.AWAITING_APPROVAL, verified_at=timezone.now(), verification_method="email_link",
    )

    with django_capture_on_commit_callbacks(execute=True):
        rights_services.request_approve_and_execute(request=request, actor=f.UserFactory())

    request.refresh_from_db()
    assert request.outcome == Outcome.DONE
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.WITHDRAWN
    assert ConsentEvent.objects.get(record=record, kind="withdrawn").method == Method.RIGHTS_REQUEST
