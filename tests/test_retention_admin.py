"""Retention in the admin: rules are entered through a service (history says who and why; a rule with no start
date cannot be enabled); holds are placed and released by the DPO, never edited; erasure records and sweep runs are
read-only for everyone; "Preview tonight's sweep" shows per-rule counts and a sample; the subject page shows the
subject's holds and erasure history; list pages run the same number of queries with 1 row as with 30."""
from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retention import engine
from retention.models import ErasureRecord, LegalHold, RetentionRule, SweepRun
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _rule_form(activity, **overrides) -> dict:
    data = {
        "activity": activity.pk, "subject_category": "", "data_category": "", "statement_en": "Up to ten years.",
        "legal_reference": "Policy", "period_amount": "10", "period_unit": "years", "trigger": "last_contact_on",
        "action": "erase", "second_period_amount": "", "second_period_unit": "years", "enabled": "on",
    }
    return {**data, **overrides}


def test_compliance_adds_a_rule_and_the_history_says_who_and_why(compliance_client):
    activity = f.ProcessingActivityFactory()
    response = compliance_client.post(reverse("admin:retention_retentionrule_add"), _rule_form(activity))
    assert response.status_code == 302
    rule = RetentionRule.objects.get()
    latest = rule.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (compliance_client.user, "added in admin")


def test_a_rule_with_no_start_date_cannot_be_enabled_in_the_admin(dpo_client):
    # Issue 16: saved as the statement reads, disabled, rather than refused (a failed save made users invent a start).
    activity = f.ProcessingActivityFactory()
    response = dpo_client.post(reverse("admin:retention_retentionrule_add"), _rule_form(activity, trigger="not_stated"))
    assert response.status_code == 302
    rule = RetentionRule.objects.get()
    assert rule.enabled is False and rule.is_swept is False

    response = dpo_client.post(
        reverse("admin:retention_retentionrule_add"), _rule_form(activity, trigger="not_stated", enabled=""),
    )
    assert response.status_code == 302
    assert not RetentionRule.objects.filter(enabled=True).exists()


def test_dpo_places_and_releases_a_hold(dpo_client):
    subject = f.DataSubjectFactory()
    response = dpo_client.post(reverse("admin:retention_legalhold_add"), {
        "subject": subject.pk, "activity": "", "reason": "Claim pending", "until": "",
    })
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.placed_by == dpo_client.user and hold.is_active()
    assert hold.history.latest().history_change_reason == "placed"

    response = dpo_client.post(reverse("admin:retention_legalhold_changelist"), {
        "action": "release", "_selected_action": [hold.pk],
    })
    hold.refresh_from_db()
    assert hold.released_by == dpo_client.user and not hold.is_active()


def test_a_hold_on_both_a_subject_and_an_activity_is_refused(dpo_client):
    response = dpo_client.post(reverse("admin:retention_legalhold_add"), {
        "subject": f.DataSubjectFactory().pk, "activity": f.ProcessingActivityFactory().pk, "reason": "x", "until": "",
    })
    assert response.status_code == 200 and not LegalHold.objects.exists()


def test_compliance_cannot_place_a_hold(compliance_client):
    response = compliance_client.get(reverse("admin:retention_legalhold_add"))
    assert response.status_code == 403


def test_erasure_records_are_read_only_even_for_a_superuser(superuser_client):
    subject = f.DataSubjectFactory()
    record = engine.subject_erase(subject=subject, reason=ErasureRecord.Reason.ADMIN)
    change = reverse("admin:retention_erasurerecord_change", args=[record.pk])

    page = superuser_client.get(change)
    assert page.status_code == 200 and "subjects_datasubject" in page.content.decode()  # the receipt
    assert superuser_client.get(reverse("admin:retention_erasurerecord_add")).status_code == 403
    assert superuser_client.post(change, {"request_ref": "edited"}).status_code == 403
    delete = reverse("admin:retention_erasurerecord_delete", args=[record.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.request_ref == ""


def test_preview_button_runs_a_dry_run_and_shows_counts_and_a_sample(dpo_client):
    activity = f.ProcessingActivityFactory(name="Prospects")
    rule_for(activity)
    subject = f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                                  last_contact_on=date(2020, 1, 1)).subject
    changelist = dpo_client.get(reverse("admin:retention_sweeprun_changelist"))
    assert "Preview tonight’s sweep" in changelist.content.decode()

    response = dpo_client.post(reverse("admin:retention_sweeprun_preview"), follow=True)

    run = SweepRun.objects.get()
    assert run.dry_run and run.started_by == dpo_client.user
    page = response.content.decode()
    assert "What the sweep would do, per rule" in page and "Prospects" in page
    assert f"#{subject.pk}" in page and subject.email not in page
    assert "Approve this preview" in page
    assert dpo_client.get(reverse("admin:retention_sweeprun_preview")).status_code == 405


def test_compliance_sees_runs_but_cannot_preview(compliance_client):
    page = compliance_client.get(reverse("admin:retention_sweeprun_changelist"))
    assert page.status_code == 200 and "Preview tonight’s sweep" not in page.content.decode()
    assert compliance_client.post(reverse("admin:retention_sweeprun_preview")).status_code == 403


def test_subject_page_shows_holds_and_erasure_history(dpo_client):
    held = f.DataSubjectFactory()
    f.LegalHoldFactory(subject=held, reason="Claim pending")
    page = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[held.pk])).content.decode()
    assert "Claim pending" in page

    erased = f.DataSubjectFactory()
    engine.subject_erase(subject=erased, reason=ErasureRecord.Reason.ADMIN, request_ref="RR-9")
    page = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[erased.pk])).content.decode()
    assert "Erasure history" in page and "RR-9" in page


@pytest.mark.parametrize("name", ["erasurerecord", "sweeprun", "legalhold", "retentionrule"])
def test_list_pages_run_the_same_queries_with_1_and_30_rows(dpo_client, name):
    def build(n: int) -> None:
        for _ in range(n):
            subject = f.DataSubjectFactory()
            hold = f.LegalHoldFactory(subject=subject)
            hold.released_at = hold.placed_at
            hold.save()
            rule = rule_for(f.ProcessingActivityFactory())
            run = SweepRun.objects.create(as_of=date(2024, 1, 1), status=SweepRun.Status.SUCCEEDED,
                                          counts={str(rule.pk): {"erased": 1}})
            ErasureRecord.objects.create(subject=subject, action="erase", reason="retention", rule=rule, run=run)

    url = reverse(f"admin:retention_{name}_changelist")
    build(1)
    dpo_client.get(url)
    with CaptureQueriesContext(connection) as one:
        dpo_client.get(url)
    build(29)
    with CaptureQueriesContext(connection) as many:
        assert dpo_client.get(url).status_code == 200
    assert len(many) == len(one)
