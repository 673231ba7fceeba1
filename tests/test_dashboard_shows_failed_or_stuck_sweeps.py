"""A failed acting sweep run, or one "running" for longer than RETENTION_SWEEP_STALE_AFTER_HOURS (its worker was
killed), is shown at the top of the admin dashboard, linked to the run, until a later run succeeds. Retention
contributes the alert through the register's dashboard-alerts registry (privacy_registry.dashboard), so the
register imports nothing of retention."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy_registry import dashboard
from retention.models import SweepRun

pytestmark = pytest.mark.django_db


def _run(status: str, *, hours_ago: float = 1, dry_run: bool = False, **values) -> SweepRun:
    run = SweepRun.objects.create(as_of=timezone.localdate(), status=status, dry_run=dry_run, **values)
    SweepRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=hours_ago))
    return run


def _top(client) -> tuple[list, str]:
    """The alerts, and the dashboard's HTML up to its first section."""
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    start = html.index('<div id="dashboard"')
    return response.context["dashboard"]["alerts"], html[start:html.index("<h2>Organisations</h2>", start)]


def test_retention_plugs_its_alerts_into_the_registers_registry():
    from retention.dashboard import sweep_alerts

    assert dashboard._sources["retention.sweep"] is sweep_alerts


def test_a_failed_run_is_shown_at_the_top_with_a_link(dpo_client):
    failed = _run(SweepRun.Status.FAILED, rule_errors={"7": "its period is longer than 100 years: correct the rule"})

    alerts, top = _top(dpo_client)

    [alert] = alerts
    assert alert.level == dashboard.Level.ERROR
    assert f"Sweep run #{failed.pk}" in top and "1 retention rule(s) could not be swept" in top
    assert f'href="{reverse("admin:retention_sweeprun_change", args=[failed.pk])}"' in top
    assert 'class="messagelist dashboard-alerts"' in top and '<li class="error">' in top


def test_a_run_stuck_running_past_the_stale_hours_is_shown_as_a_warning(dpo_client, settings):
    settings.RETENTION_SWEEP_STALE_AFTER_HOURS = 12
    stuck = _run(SweepRun.Status.RUNNING, hours_ago=13)

    alerts, top = _top(dpo_client)

    [alert] = alerts
    assert alert.level == dashboard.Level.WARNING
    assert f"Sweep run #{stuck.pk} has been running since" in top and "manage.py retention_sweep" in top


def test_a_run_that_is_just_working_a_preview_or_a_lockout_is_not_an_alert(dpo_client, settings):
    settings.RETENTION_SWEEP_STALE_AFTER_HOURS = 12
    _run(SweepRun.Status.RUNNING, hours_ago=2)
    _run(SweepRun.Status.FAILED, dry_run=True)
    _run(SweepRun.Status.LOCKED_OUT)
    _run(SweepRun.Status.AWAITING_APPROVAL)

    alerts, top = _top(dpo_client)

    assert alerts == [] and "Sweep run #" not in top


def test_a_later_successful_run_settles_an_earlier_failure(dpo_client):
    _run(SweepRun.Status.FAILED, hours_ago=30)
    _run(SweepRun.Status.SUCCEEDED, hours_ago=6)
    assert _top(dpo_client)[0] == []

    again = _run(SweepRun.Status.FAILED, hours_ago=1)
    [alert] = _top(dpo_client)[0]
    assert f"#{again.pk}" in alert.message


def test_only_a_user_who_may_view_sweep_runs_gets_the_alert(client, django_user_model):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _run(SweepRun.Status.FAILED)
    user = django_user_model.objects.create_user(username="bare", password="a-long-test-password-1", is_staff=True)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    response = client.get(reverse("admin:index"))

    assert response.context["dashboard"]["alerts"] == []
    assert "Sweep run #" not in response.content.decode()
