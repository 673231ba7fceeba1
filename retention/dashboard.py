"""Retention's alerts at the top of the admin dashboard (plugged into ``privacy_registry.dashboard`` from
``RetentionConfig.ready()``): an acting sweep run that failed since the last one that succeeded, or that has been
"running" longer than ``RETENTION_SWEEP_STALE_AFTER_HOURS``, or that did nothing because it would have done
more than the approved preview. Only for a user who may view sweep runs."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from privacy_registry.dashboard import Alert, Level

from . import selectors
from .models import RetentionEvent, SweepRun

VIEW_PERMISSION = "retention.view_sweeprun"


def sweep_alerts(user) -> list[Alert]:
    if not user.has_perm(VIEW_PERMISSION):
        return []
    alerts = []
    for run in selectors.sweep_runs_needing_attention(now=timezone.now()):
        url = reverse("admin:retention_sweeprun_change", args=[run.pk])
        started = timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M")
        if run.status == SweepRun.Status.FAILED:
            if run.rule_errors:
                message = gettext(
                    "Sweep run #%(id)s (started %(started)s) failed: %(n)d retention rule(s) could not be swept, "
                    "the others were. Correct the rules (see registry_check) and run the sweep again."
                )
            else:
                message = gettext(
                    "Sweep run #%(id)s (started %(started)s) failed: some subjects were not processed. It is retried; "
                    "if it keeps failing, look at its errors."
                )
            level = Level.ERROR
        elif run.status == SweepRun.Status.EXCEEDS_APPROVAL:
            message = gettext(
                "Sweep run #%(id)s (started %(started)s) did nothing: it would have done more than the approved "
                "preview showed. Look at its numbers, preview the sweep again and approve what it shows."
            )
            level = Level.ERROR
        else:
            message = gettext(
                "Sweep run #%(id)s has been running since %(started)s, longer than %(hours)d hours: its worker was "
                "most likely stopped. Run “manage.py retention_sweep” to close it and sweep again."
            )
            level = Level.WARNING
        words = {"id": run.pk, "started": started, "n": len(run.rule_errors),
                 "hours": settings.RETENTION_SWEEP_STALE_AFTER_HOURS}
        alerts.append(Alert(level=level, message=message % words, url=url, link_text=gettext("Open the run")))
    return alerts


EVENTS_VIEW_PERMISSION = "retention.view_retentionevent"


def overdue_event_alerts(user) -> list[Alert]:
    """Pending events of event-triggered rules whose due day has passed: a hold keeps the subject, or the sweep has
    not carried them out (not run, awaiting approval, failed). One count."""
    if not user.has_perm(EVENTS_VIEW_PERMISSION):
        return []
    overdue = selectors.events_overdue(today=timezone.localdate()).count()
    if not overdue:
        return []
    message = ngettext(
        "%(n)d retention event is past its due day and not carried out: its subject is held, or the sweep has not "
        "acted on it.",
        "%(n)d retention events are past their due day and not carried out: their subjects are held, or the sweep "
        "has not acted on them.", overdue,
    ) % {"n": overdue}
    url = reverse("admin:retention_retentionevent_changelist") + "?status__exact=pending"
    return [Alert(level=Level.WARNING, message=message, url=url, link_text=gettext("Open the events"))]


APPROVE_PERMISSION = "retention.erase_datasubject"


def awaiting_event_alerts(user) -> list[Alert]:
    """Events that would erase at once, recorded by someone without the erase permission: the sweep does nothing for
    them until someone who holds it (the DPO) approves or cancels them. One count, for those who can."""
    if not (user.has_perm(APPROVE_PERMISSION) and user.has_perm(EVENTS_VIEW_PERMISSION)):
        return []
    awaiting = RetentionEvent.objects.filter(status=RetentionEvent.Status.AWAITING_APPROVAL).count()
    if not awaiting:
        return []
    message = ngettext(
        "%(n)d retention event would erase at once and awaits your approval: the sweep does nothing for it until it "
        "is approved or cancelled.",
        "%(n)d retention events would erase at once and await your approval: the sweep does nothing for them until "
        "they are approved or cancelled.", awaiting,
    ) % {"n": awaiting}
    url = reverse("admin:retention_retentionevent_changelist") + "?status__exact=awaiting"
    return [Alert(level=Level.WARNING, message=message, url=url, link_text=gettext("Open the events"))]
