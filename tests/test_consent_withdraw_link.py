"""The signed withdraw link: GET shows a confirmation and changes nothing, POST withdraws (also the mail program's
one-click POST without a CSRF token), a tampered or foreign link gets a polite 400 page; the retention clock
starts. The product's consent e-mails carry List-Unsubscribe headers with that link."""
from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from consent import links, services, tasks
from consent.models import ConsentEvent, ConsentRecord, Method
from privacy_registry.models import LegalBasis
from subjects.models import Engagement
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def given():
    activity = f.ProcessingActivityFactory()
    register_purpose = f.PurposeFactory(activity=activity, legal_basis=LegalBasis.CONSENT)
    purpose = f.ConsentPurposeFactory(organisation=activity.organisation, register_purposes=[register_purpose])
    subject = f.DataSubjectFactory(organisation=activity.organisation, language="en")
    engagement = f.EngagementFactory(subject=subject, activity=activity)
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.FORM)
    return record, engagement


def _url(record, token=None):
    return f"/privacy/{record.purpose.organisation.slug}/consent/withdraw/{token or links.withdraw_token(record.pk)}/"


def test_get_shows_what_will_happen_and_changes_nothing(client, given):
    record, engagement = given
    response = client.get(_url(record))
    assert response.status_code == 200
    assert record.purpose.name in response.content.decode()
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.GIVEN
    assert ConsentEvent.objects.filter(record=record).count() == 1
    assert Engagement.objects.get(pk=engagement.pk).unsubscribed_on is None


def test_post_withdraws_and_starts_the_retention_clock(client, given):
    record, engagement = given
    response = client.post(_url(record), HTTP_USER_AGENT="Mail/1.0", REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.state == ConsentRecord.State.WITHDRAWN
    event = record.events.order_by("-pk").first()
    assert (event.kind, event.method, event.ip_prefix) == ("withdrawn", Method.EMAIL_LINK, "198.51.100.0/24")
    assert Engagement.objects.get(pk=engagement.pk).unsubscribed_on == timezone.localdate()


def test_one_click_unsubscribe_works_without_a_csrf_token(given):
    record, _engagement = given
    response = Client(enforce_csrf_checks=True).post(
        _url(record), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.WITHDRAWN


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: token.replace(":", ";"),
    lambda token: "x" * 400,
    lambda token: links.confirm_token(1, "0" * 64),  # signed, but for another purpose
])
def test_a_tampered_link_is_refused_politely(client, given, mangle):
    record, _engagement = given
    token = mangle(links.withdraw_token(record.pk))
    for method in (client.get, client.post):
        response = method(_url(record, token))
        assert response.status_code == 400
        assert "cannot be used" in response.content.decode()
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.GIVEN


def test_a_link_of_another_organisation_is_refused(client, given):
    record, _engagement = given
    other = f.OrganisationFactory()
    response = client.post(f"/privacy/{other.slug}/consent/withdraw/{links.withdraw_token(record.pk)}/")
    assert response.status_code == 400
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.GIVEN


def test_consent_emails_carry_list_unsubscribe_headers_with_the_withdraw_link(client, settings):
    settings.PUBLIC_BASE_URL = "https://privacy.example.org"
    purpose = f.ConsentPurposeFactory(double_opt_in=True)
    subject = f.DataSubjectFactory(organisation=purpose.organisation, language="en")
    record = services.consent_give(purpose=purpose, subject=subject, method=Method.DOUBLE_OPT_IN)

    assert tasks.confirmation_mail(record.pk) is True

    message = mail.outbox[-1]
    withdraw = links.withdraw_url(record)
    assert withdraw.startswith("https://privacy.example.org/privacy/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{withdraw}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.to == [subject.email] and subject.email not in withdraw
    # The confirm link in the same mail confirms the consent on POST.
    confirm = links.confirm_url(record).removeprefix("https://privacy.example.org")
    assert confirm in message.body
    assert client.get(confirm).status_code == 200
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.PENDING
    client.post(confirm)
    assert ConsentRecord.objects.get(pk=record.pk).state == ConsentRecord.State.GIVEN
