"""With RETENTION_REQUIRE_APPROVAL on, the sweep acts only on a preview a DPO approved: it carries that preview out
(with its cutoff, once) and otherwise does nothing and says so. Only a DPO may approve."""
from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from retention import engine, services
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _approval_required(settings):
    settings.RETENTION_REQUIRE_APPROVAL = True


@pytest.fixture
def due_subject():
    activity = f.ProcessingActivityFactory()
    rule_for(activity)
    return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                               last_contact_on=date(2020, 1, 1)).subject


def test_without_an_approved_preview_the_sweep_does_nothing(due_subject):
    services.sweep_run(dry_run=True)  # previewed, not approved

    run = services.sweep_run()

    assert run.status == SweepRun.Status.AWAITING_APPROVAL
    assert DataSubject.objects.get(pk=due_subject.pk).state == DataSubject.State.ACTIVE


def test_an_approved_preview_is_carried_out_once_with_its_cutoff(due_subject, dpo_client):
    yesterday = timezone.localdate() - timedelta(days=1)
    preview = services.sweep_run(as_of=yesterday, dry_run=True)
    response = dpo_client.post(reverse("admin:retention_sweeprun_approve", args=[preview.pk]))
    assert response.status_code == 302
    preview.refresh_from_db()
    assert preview.approved_by == dpo_client.user and preview.approved_at is not None

    run = services.sweep_run()

    assert run.status == SweepRun.Status.SUCCEEDED
    assert run.as_of == yesterday and run.preview == preview
    assert ErasureRecord.objects.filter(subject=due_subject).exists()
    assert services.sweep_run().status == SweepRun.Status.AWAITING_APPROVAL  # used up


def test_compliance_staff_cannot_approve(due_subject, compliance_client):
    preview = services.sweep_run(dry_run=True)

    with pytest.raises(PermissionDenied):
        services.sweep_preview_approve(run=preview, actor=compliance_client.user)
    response = compliance_client.post(reverse("admin:retention_sweeprun_approve", args=[preview.pk]))

    assert response.status_code == 403
    preview.refresh_from_db()
    assert preview.approved_at is None


def test_an_acting_run_cannot_be_approved_as_a_preview(dpo_client, settings):
    settings.RETENTION_REQUIRE_APPROVAL = False
    acting = services.sweep_run()
    dpo_client.post(reverse("admin:retention_sweeprun_approve", args=[acting.pk]))
    acting.refresh_from_db()
    assert acting.approved_at is None


def test_a_run_that_failed_part_way_leaves_the_approval_for_its_retry(due_subject, dpo_client):
    preview = services.sweep_run(dry_run=True)
    services.sweep_preview_approve(run=preview, actor=dpo_client.user)
    with mock.patch.object(engine, "subjects_erase", side_effect=RuntimeError("database went away")):
        failed = services.sweep_run()
    assert failed.status == SweepRun.Status.FAILED and failed.preview == preview

    retry = services.sweep_run()

    assert retry.status == SweepRun.Status.SUCCEEDED and retry.preview == preview
    assert DataSubject.objects.get(pk=due_subject.pk).state == DataSubject.State.ERASED
