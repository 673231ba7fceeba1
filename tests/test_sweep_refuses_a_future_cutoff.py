"""Erasure is not one typo away: an acting sweep with a cutoff after today would erase people before their rules
say. The service refuses it (so every caller is guarded: the command, the admin, the nightly task) unless an
override names who allows it and why, which stays on the run. A dry run with a future cutoff is a preview and
stays allowed."""
from __future__ import annotations

import getpass
import inspect
from datetime import timedelta
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.utils import timezone

from retention import services, tasks
from retention.models import ErasureRecord, SweepRun
from subjects.models import DataSubject
from tests import factories as f
from tests.retention_support import rule_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def not_yet_due():
    """Three subjects whose two years run out in ten days, and one already due today."""
    today = timezone.localdate()
    activity = f.ProcessingActivityFactory(name="Newsletter")
    rule_for(activity)  # two years after the last contact, then erased

    def engaged(last_contact_on):
        return f.EngagementFactory(activity=activity, subject__organisation=activity.organisation,
                                   last_contact_on=last_contact_on).subject

    soon = [engaged(today - relativedelta(years=2) + timedelta(days=10)) for _ in range(3)]
    due = engaged(today - relativedelta(years=3))
    return soon, due


def _future(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


def _states(subjects) -> set[str]:
    return set(DataSubject.objects.filter(pk__in=[s.pk for s in subjects]).values_list("state", flat=True))


def test_the_service_refuses_an_acting_run_with_a_future_cutoff_and_starts_nothing(not_yet_due):
    soon, due = not_yet_due

    with pytest.raises(services.SweepRefused, match="after today"):
        services.sweep_run(as_of=_future())

    assert not SweepRun.objects.exists()
    assert not ErasureRecord.objects.exists()
    assert _states([*soon, due]) == {DataSubject.State.ACTIVE}


def test_a_dry_run_with_a_future_cutoff_is_still_allowed(not_yet_due):
    run = services.sweep_run(as_of=_future(), dry_run=True)

    assert run.status == SweepRun.Status.SUCCEEDED and run.as_of == _future()
    assert run.totals()["erased"] == 4  # the three not yet due, and the one due today
    assert not run.future_as_of_by and not run.future_as_of_reason
    assert not ErasureRecord.objects.exists()


def test_the_override_lets_it_act_and_is_recorded_on_the_run(not_yet_due):
    soon, due = not_yet_due
    override = services.FutureAsOf(by="ops-oncall", reason="Authority order 2026/17: erase the campaign list now.")

    run = services.sweep_run(as_of=_future(), future_as_of=override)

    assert run.status == SweepRun.Status.SUCCEEDED
    run.refresh_from_db()
    assert run.future_as_of_by == "ops-oncall"
    assert run.future_as_of_reason == "Authority order 2026/17: erase the campaign list now."
    assert _states([*soon, due]) == {DataSubject.State.ERASED}


@pytest.mark.parametrize("by, reason", [("ops", ""), ("ops", "   "), ("", "Authority order")])
def test_an_override_without_who_or_why_is_refused(not_yet_due, by, reason):
    with pytest.raises(services.SweepRefused):
        services.sweep_run(as_of=_future(), future_as_of=services.FutureAsOf(by=by, reason=reason))
    assert not SweepRun.objects.exists()


def test_an_override_is_not_recorded_on_a_run_it_did_not_allow(not_yet_due):
    soon, due = not_yet_due
    run = services.sweep_run(future_as_of=services.FutureAsOf(by="ops", reason="habit"))

    assert run.status == SweepRun.Status.SUCCEEDED and run.as_of == timezone.localdate()
    assert not run.future_as_of_by and not run.future_as_of_reason
    assert _states(soon) == {DataSubject.State.ACTIVE} and _states([due]) == {DataSubject.State.ERASED}


# --- the command ---------------------------------------------------------------------------------------------


def _command(*args) -> str:
    out = StringIO()
    call_command("retention_sweep", *args, stdout=out)
    return out.getvalue()


def test_the_command_refuses_a_future_cutoff_with_exit_2(not_yet_due):
    soon, due = not_yet_due

    with pytest.raises(CommandError, match="after today") as refused:
        _command("--as-of", _future().isoformat())

    assert refused.value.returncode == 2
    assert "\n" not in str(refused.value)
    assert not SweepRun.objects.exists()
    assert _states([*soon, due]) == {DataSubject.State.ACTIVE}


@pytest.mark.parametrize("args", [["--allow-future-as-of"], ["--allow-future-as-of", "--reason", " "],
                                  ["--reason", "a reason without the override"]])
def test_the_override_flag_needs_its_reason_and_the_reason_its_flag(not_yet_due, args):
    with pytest.raises(CommandError) as refused:
        _command("--as-of", _future().isoformat(), *args)
    assert refused.value.returncode == 2
    assert not SweepRun.objects.exists()


def test_the_command_with_the_override_records_the_os_account_and_the_reason(not_yet_due):
    soon, due = not_yet_due

    output = _command("--as-of", _future().isoformat(), "--allow-future-as-of", "--reason", "Authority order 17")

    run = SweepRun.objects.get()
    assert run.future_as_of_by == getpass.getuser() and run.future_as_of_reason == "Authority order 17"
    assert "Cutoff after today, allowed by" in output and "Authority order 17" in output
    assert _states([*soon, due]) == {DataSubject.State.ERASED}


def test_a_future_dry_run_from_the_command_is_a_preview(not_yet_due):
    output = _command("--dry-run", "--as-of", _future().isoformat())
    assert "Preview as of" in output and "erased 4" in output
    assert not ErasureRecord.objects.exists()


# --- the nightly task ----------------------------------------------------------------------------------------


def test_the_nightly_task_takes_no_cutoff():
    assert not inspect.signature(tasks.sweep.run).parameters


def test_the_nightly_task_does_not_carry_out_an_approved_preview_dated_after_today(not_yet_due, settings):
    """With approval required, the nightly run carries out a preview of today or yesterday, never a later one."""
    soon, due = not_yet_due
    settings.RETENTION_REQUIRE_APPROVAL = True
    preview = services.sweep_run(as_of=_future(), dry_run=True)
    SweepRun.objects.filter(pk=preview.pk).update(approved_at=timezone.now())

    run_id = tasks.sweep.run()

    assert SweepRun.objects.get(pk=run_id).status == SweepRun.Status.AWAITING_APPROVAL
    assert _states([*soon, due]) == {DataSubject.State.ACTIVE}


def test_an_approved_future_preview_still_needs_the_override_to_be_carried_out(not_yet_due, settings):
    soon, _due = not_yet_due
    settings.RETENTION_REQUIRE_APPROVAL = True
    preview = services.sweep_run(as_of=_future(), dry_run=True)
    SweepRun.objects.filter(pk=preview.pk).update(approved_at=timezone.now())

    with pytest.raises(services.SweepRefused):
        services.sweep_run(as_of=_future())
    assert _states(soon) == {DataSubject.State.ACTIVE}

    run = services.sweep_run(as_of=_future(), future_as_of=services.FutureAsOf(by="dpo", reason="approved"))
    assert run.status == SweepRun.Status.SUCCEEDED and run.preview_id == preview.pk
    assert _states(soon) == {DataSubject.State.ERASED}
