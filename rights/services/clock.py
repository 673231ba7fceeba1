"""The deadline (Art. 12(3), Reg. 1182/71): paused days, the recomputed due date, extension, pause and resume.

``received_at``, the ``ClockPause`` rows and the computed ``due_on`` (and ``extended_due_on``) are kept apart; the
due date is recomputed from the received date plus the paused days through ``rights.deadlines.due_date`` in the
organisation's country."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy_registry.services import acting_user as _user

from .. import deadlines
from ..models import OPEN_STATUSES, ClockPause, RightsRequest
from .common import Actor, Kind, _country, _event, _locked, _on_commit_enqueue, _save

MAX_EXTENSION_MONTHS = 2


def paused_days(request: RightsRequest, *, now: datetime | None = None) -> int:
    """Calendar days the clock stood still (a pause still open counts up to today)."""
    today = timezone.localdate(now or timezone.now())
    total = 0
    for pause in request.pauses.all():
        start = timezone.localdate(pause.started_at)
        end = timezone.localdate(pause.ended_at) if pause.ended_at else today
        total += max(0, (end - start).days)
    return total


def _clock_start(request: RightsRequest) -> date:
    return timezone.localdate(request.received_at) + timedelta(days=paused_days(request))


def _recompute_due(request: RightsRequest) -> None:
    start = _clock_start(request)
    country = _country(request.organisation)
    request.due_on = deadlines.due_date(start=start, country=country)
    if request.extended_due_on is not None:
        months = request.extension_months or MAX_EXTENSION_MONTHS
        request.extended_due_on = deadlines.due_date(start=start, country=country, months=1 + months)


@transaction.atomic
def request_extend(*, request: RightsRequest, months: int, reason: str, actor: Actor) -> RightsRequest:
    """Extend the deadline once, by one or two further months (Art. 12(3)), with the reason; the requester is told.

    Only while the first month runs: the requester must be told within it.
    """
    request = _locked(request)
    reason = (reason or "").strip()
    if request.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open request can be extended."), code="status")
    if request.extended_due_on is not None:
        raise ValidationError(_("The deadline has been extended already: it can be extended once."), code="twice")
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise ValidationError(_("An extension is one or two further months."), code="months")
    if not reason:
        raise ValidationError(_("Give the reason for the extension: the requester is told it."), code="reason")
    if request.due_on is not None and timezone.localdate() > request.due_on:
        raise ValidationError(_("The first month has passed: it is too late to extend."), code="late")
    request.extended_due_on = deadlines.due_date(
        start=_clock_start(request), country=_country(request.organisation), months=1 + months
    )
    request.extension_reason = reason
    request.extension_months = months
    request.extended_at = timezone.now()
    _event(request, Kind.EXTENDED, actor=actor, note=f"{months} month(s)")
    _save(request, actor=actor, reason=f"extended by {months} month(s)",
          fields=["extended_due_on", "extension_reason", "extension_months", "extended_at"])
    _on_commit_enqueue("receipt_mail", request.pk, "extended")
    return request


@transaction.atomic
def request_pause(*, request: RightsRequest, reason: str, actor: Actor) -> ClockPause:
    """Stop the clock while identity or a clarification is awaited; the pause is recorded."""
    request = _locked(request)
    if request.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open request can be paused."), code="status")
    if reason not in ClockPause.Reason.values:
        raise ValidationError(_("Choose why the clock is paused."), code="reason")
    if request.pauses.filter(ended_at=None).exists():
        raise ValidationError(_("The clock is paused already."), code="paused")
    pause = ClockPause(request=request, reason=reason, actor=_user(actor))
    pause._change_reason = "paused"
    pause.save()
    _event(request, Kind.PAUSED, actor=actor, note=reason)
    return pause


@transaction.atomic
def request_resume(*, request: RightsRequest, actor: Actor) -> RightsRequest:
    """Restart the clock; the due date moves by the days it stood still."""
    request = _locked(request)
    pause = request.pauses.filter(ended_at=None).first()
    if pause is None:
        raise ValidationError(_("The clock is not paused."), code="not_paused")
    pause.ended_at = timezone.now()
    pause._change_reason = "resumed"
    pause.save(update_fields=["ended_at"])
    _recompute_due(request)
    _event(request, Kind.RESUMED, actor=actor, note=f"{paused_days(request)} day(s) paused in all")
    _save(request, actor=actor, reason="clock resumed", fields=["due_on", "extended_due_on"])
    return request

