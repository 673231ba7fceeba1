"""Writes about data subjects' requests: submit, verify, decide, carry out, close, purge and minimise.

Design note.
- Every write on a request goes through here (the public views, the admin and the Celery tasks only call these
  functions). Each sets simple-history's change reason and user, and adds a timeline event in the same
  transaction. Change reasons and event notes are fixed words and ids, never the requester's address or words.
- Known and unknown addresses are treated alike when a request is submitted: the same rows are written and the
  same task is enqueued; the address is matched to a data subject only when the requester proves it is theirs
  by following the link (``request_verify``).
- Links are random nonces; only their SHA-256 is stored, and a token is consumed by one conditional UPDATE
  (``consumed_at`` set only where it is still empty and unexpired), so two clicks cannot both act.
- The deadline keeps its parts apart: ``received_at``, the ``ClockPause`` rows and the computed ``due_on``
  (and ``extended_due_on``), recomputed from the received date plus the paused days through
  ``rights.deadlines.due_date`` in the organisation's country.
- Carrying a request out calls the existing services of the apps below: the erasure engine's per-person path
  (``retention.engine.subject_erase`` / ``subject_restrict``) for erasure and restriction, subjects' services
  for engagements and rectification, the consent withdrawers' registry for consent. The engine owns its
  (durable) transaction, so ``request_execute`` runs in three steps: claim the request (one conditional
  UPDATE, so two approvals cannot both run it), act, then record the outcome. A failure while acting puts the
  request back where it was and re-raises.
- E-mails and task enqueues happen after commit. Tasks take request ids; the nonce of a link is created in the
  task that mails it and exists nowhere else.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy_registry.models import LegalBasis, Organisation, PrivacyContact, ProcessingActivity
from privacy_registry.services import acting_user as _user
from retention import engine
from retention import selectors as retention_selectors
from retention.models import ErasureRecord, RetentionRule
from subjects import consent_withdrawers
from subjects.models import DataSubject, Engagement
from subjects.services import engagement_record, subject_update

from . import deadlines, exports, mail, selectors
from .models import (
    OPEN_STATUSES,
    Channel,
    ClockPause,
    Outcome,
    RefusalGround,
    RequestEvent,
    RequestExport,
    RequestToken,
    RequestType,
    RightsRequest,
    Status,
    VerificationMethod,
)

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
Kind = RequestEvent.Kind

# Extension by "two further months" at most (Art. 12(3)).
MAX_EXTENSION_MONTHS = 2
DIGEST_DAYS = 7


# --- small helpers ---------------------------------------------------------------------------------------------



def _save(request: RightsRequest, *, actor: Actor, reason: str, fields: Iterable[str] | None = None) -> None:
    request._change_reason = reason
    if _user(actor) is not None:
        request._history_user = actor
    if fields is None:
        request.save()
    else:
        request.save(update_fields=[*fields, "updated_at"])


def _event(request: RightsRequest, kind: str, *, actor: Actor = None, note: str = "") -> RequestEvent:
    event = RequestEvent(request=request, kind=kind, actor=_user(actor), note=note)
    event._change_reason = kind
    if _user(actor) is not None:
        event._history_user = actor
    event.save()
    return event


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _language(code: str) -> str:
    known = {c for c, _name in settings.LANGUAGES}
    code = (code or "").split("-")[0].strip().lower()
    return code if code in known else settings.LANGUAGE_CODE


def _country(organisation: Organisation) -> str:
    return organisation.country_id or ""


def public_url(name: str, **kwargs: Any) -> str:
    """An absolute link to a public page (``rights:<name>``) on ``PUBLIC_BASE_URL``."""
    return settings.PUBLIC_BASE_URL + reverse(f"rights:{name}", kwargs=kwargs)


def _enqueue(task_name: str, *args: Any) -> None:
    # Lazily: the tasks module imports this one (tasks are thin wrappers around these services).
    from . import tasks

    task = getattr(tasks, task_name)
    try:
        task.delay(*args)
    except Exception as exc:  # the broker's errors vary by transport; the request stays as it is in the database
        logger.warning("rights task %s for %s not enqueued (%s)", task_name, args, type(exc).__name__)


def _on_commit_enqueue(task_name: str, *args: Any) -> None:
    transaction.on_commit(partial(_enqueue, task_name, *args))


# --- the deadline ---------------------------------------------------------------------------------------------


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


# --- tokens ---------------------------------------------------------------------------------------------------


def _token_create(*, request: RightsRequest, purpose: str, lifetime: timedelta) -> str:
    """A new single-use link for ``request``; returns the raw nonce (only the caller, and the e-mail, see it)."""
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    token = RequestToken(request=request, purpose=purpose, digest=_digest(raw), created_at=now,
                         expires_at=now + lifetime)
    token._change_reason = "created"
    token.save()
    return raw


def _token_consume(*, raw: str, purpose: str) -> RequestToken | None:
    now = timezone.now()
    digest = _digest(raw)
    taken = RequestToken.objects.filter(
        digest=digest, purpose=purpose, consumed_at=None, expires_at__gt=now
    ).update(consumed_at=now)
    if taken != 1:
        return None
    return RequestToken.objects.select_related("request").get(digest=digest)


def token_peek(*, raw: str, purpose: str) -> RightsRequest | None:
    """The request of a valid, unexpired, unused link (read-only: for the page a GET shows), else None."""
    if not raw or len(raw) > 200:
        return None
    token = (
        RequestToken.objects.filter(
            digest=_digest(raw), purpose=purpose, consumed_at=None, expires_at__gt=timezone.now()
        )
        .select_related("request__organisation")
        .first()
    )
    if token is None:
        return None
    request = token.request
    if purpose == RequestToken.Purpose.VERIFY and request.status != Status.AWAITING_VERIFICATION:
        return None
    return request


# --- the public side ------------------------------------------------------------------------------------------


@transaction.atomic
def request_submit(
    *,
    organisation: Organisation,
    type: str,  # noqa: A002  (the contract's name)
    email: str,
    details: str = "",
    language: str,
    direct_marketing: bool = False,
) -> RightsRequest:
    """Record a request from the public form, awaiting verification, and mail the confirmation link after commit.

    Known and unknown addresses take exactly the same path: no lookup of the address happens here.
    """
    if type not in RequestType.values:
        raise ValidationError({"type": gettext_lazy("Choose a right.")}, code="invalid")
    request = RightsRequest(
        organisation=organisation, type=type, channel=Channel.WEB, email=(email or "").strip(),
        details=(details or "").strip(), language=_language(language), status=Status.AWAITING_VERIFICATION,
        direct_marketing=bool(direct_marketing) and type == RequestType.OBJECTION,
    )
    request.full_clean(exclude=["due_on"], validate_unique=False)
    request.due_on = deadlines.due_date(start=timezone.localdate(request.received_at), country=_country(organisation))
    _save(request, actor=None, reason="submitted on the web")
    _event(request, Kind.SUBMITTED)
    _on_commit_enqueue("verification_mail", request.pk)
    logger.info("rights request %s submitted (%s, organisation %s)", request.pk, type, organisation.pk)
    return request


def verification_send(*, request_id: int) -> bool:
    """Create the confirmation link and mail it (the Celery task's body). False when there is nobody to mail."""
    request = RightsRequest.objects.select_related("organisation").filter(pk=request_id).first()
    if request is None or request.status != Status.AWAITING_VERIFICATION or not request.email:
        return False
    with transaction.atomic():
        raw = _token_create(
            request=request, purpose=RequestToken.Purpose.VERIFY,
            lifetime=timedelta(hours=settings.RIGHTS_VERIFY_LINK_HOURS),
        )
    link = public_url("confirm", organisation=request.organisation.slug, token=raw)
    mail.requester_mail(request=request, kind="verify", to=request.email, extra={
        "link": link, "hours": settings.RIGHTS_VERIFY_LINK_HOURS,
    })
    return True


@transaction.atomic
def request_verify(*, raw: str) -> RightsRequest | None:
    """Confirm a request by its e-mailed link: the link works once; None when reused, expired or tampered."""
    if not raw or len(raw) > 200:
        return None
    token = _token_consume(raw=raw, purpose=RequestToken.Purpose.VERIFY)
    if token is None:
        return None
    request = RightsRequest.objects.select_for_update().select_related("organisation").get(pk=token.request_id)
    if request.status != Status.AWAITING_VERIFICATION:
        return None
    _verified(request, method=VerificationMethod.EMAIL_LINK, actor=None)
    return request


def _verified(request: RightsRequest, *, method: str, actor: Actor) -> None:
    """Everything that follows verification, in the caller's transaction (the request row is locked)."""
    now = timezone.now()
    # The wait for the requester to prove the address is theirs does not count against the controller.
    if request.channel == Channel.WEB:
        ClockPause.objects.filter(request=request, ended_at=None).update(ended_at=now)
        if not request.pauses.filter(reason=ClockPause.Reason.IDENTITY).exists():
            pause = ClockPause(request=request, reason=ClockPause.Reason.IDENTITY, started_at=request.received_at,
                               ended_at=now)
            pause._change_reason = "identity awaited until verified"
            pause.save()
    request.verified_at = now
    request.verification_method = method
    request.status = Status.VERIFIED
    _event(request, Kind.VERIFIED, actor=actor, note=method)
    if request.subject_id is None:
        _match(request, actor=actor)
    _recompute_due(request)
    since = now - timedelta(days=settings.RIGHTS_DUPLICATE_WINDOW_DAYS)
    duplicate = selectors.duplicate_of(request=request, since=since)
    if duplicate is not None:
        # Flagged, never blocking: staff decide whether it is repetitive (Art. 12(5)).
        request.likely_duplicate_of = duplicate
        _event(request, Kind.DUPLICATE, actor=actor, note=f"request #{duplicate.pk}")
    auto = settings.RIGHTS_AUTO_EXECUTE and selectors.executes_without_staff(request)
    if not auto:
        request.status = Status.AWAITING_APPROVAL
        _event(request, Kind.QUEUED, actor=actor)
    _save(request, actor=actor, reason=f"verified ({method})")
    _link_history(request)
    if auto:
        _on_commit_enqueue("execute", request.pk)
    _on_commit_enqueue("receipt_mail", request.pk, "verified")


def _match(request: RightsRequest, *, actor: Actor) -> None:
    candidates = list(selectors.subject_candidates(request=request)[:2])
    if len(candidates) == 1:
        request.subject = candidates[0]
        _event(request, Kind.MATCHED, actor=actor, note=f"subject #{candidates[0].pk}")
    else:
        _event(request, Kind.NOT_MATCHED, actor=actor, note="several subjects" if candidates else "no subject")


def _link_history(request: RightsRequest) -> None:
    """Write the match into the request's earlier historical rows, so erasing the subject reaches them all."""
    if request.subject_id is not None:
        RightsRequest.history.filter(id=request.pk).exclude(subject_id=request.subject_id).update(
            subject_id=request.subject_id
        )


def export_open(*, raw: str) -> tuple[str, bytes] | None:
    """The export behind a download link: (file name, ZIP bytes), once; None when reused, expired or tampered.

    The export is deleted as it is handed over: the link is single-use, and a copy of everything held on the
    person is not kept longer than it takes to deliver it.
    """
    if not raw or len(raw) > 200:
        return None
    with transaction.atomic():
        token = _token_consume(raw=raw, purpose=RequestToken.Purpose.DOWNLOAD)
        if token is None:
            return None
        export = RequestExport.objects.select_for_update().filter(request_id=token.request_id).first()
        if export is None:
            return None
        filename, content = export.filename, bytes(export.content)
        export.delete()
        _event(token.request, Kind.EXPORT_DOWNLOADED)
    logger.info("rights request %s: export downloaded", token.request_id)
    return filename, content


# --- staff: logging and verifying -----------------------------------------------------------------------------


@transaction.atomic
def request_log(
    *,
    organisation: Organisation,
    type: str,  # noqa: A002
    channel: str,
    actor: Actor,
    email: str = "",
    details: str = "",
    language: str = "",
    received_at: datetime | None = None,
    subject: DataSubject | None = None,
    verified: bool = False,
    direct_marketing: bool = False,
) -> RightsRequest:
    """Record a request that came by e-mail, post or phone (or the web, typed in by staff).

    With ``verified`` the staff member has checked the identity (e.g. a document or a call back), and the request
    goes on as a verified one; otherwise it waits for a verification by staff.
    """
    if channel not in Channel.values:
        raise ValidationError({"channel": gettext_lazy("Choose a channel.")})
    if type not in RequestType.values:
        raise ValidationError({"type": gettext_lazy("Choose a right.")})
    request = RightsRequest(
        organisation=organisation, type=type, channel=channel, email=(email or "").strip() or None,
        details=(details or "").strip(), language=_language(language), received_at=received_at or timezone.now(),
        subject=subject, status=Status.AWAITING_VERIFICATION, handled_by=_user(actor),
        direct_marketing=bool(direct_marketing) and type == RequestType.OBJECTION,
    )
    if request.received_at > timezone.now():
        raise ValidationError({"received_at": gettext_lazy("A request cannot be received in the future.")})
    if subject is not None and subject.organisation_id != organisation.pk:
        raise ValidationError({"subject": gettext_lazy("The subject belongs to another organisation.")})
    request.full_clean(exclude=["due_on"], validate_unique=False)
    request.due_on = deadlines.due_date(start=timezone.localdate(request.received_at), country=_country(organisation))
    _save(request, actor=actor, reason=f"logged ({channel})")
    _event(request, Kind.LOGGED, actor=actor, note=channel)
    if subject is not None:
        _event(request, Kind.MATCHED, actor=actor, note=f"subject #{subject.pk}")
    if verified:
        _verified(request, method=VerificationMethod.STAFF, actor=actor)
    elif request.email:
        _on_commit_enqueue("receipt_mail", request.pk, "received")
    return request


@transaction.atomic
def request_verify_by_staff(*, request: RightsRequest, actor: Actor) -> RightsRequest:
    """Staff have checked the requester's identity another way (document, call back)."""
    request = _locked(request)
    if request.status != Status.AWAITING_VERIFICATION:
        raise ValidationError(_("Only a request awaiting verification can be verified."), code="status")
    # Links sent earlier must not act a second time.
    RequestToken.objects.filter(request=request, purpose=RequestToken.Purpose.VERIFY, consumed_at=None).update(
        consumed_at=timezone.now()
    )
    _verified(request, method=VerificationMethod.STAFF, actor=actor)
    return request


def _locked(request: RightsRequest) -> RightsRequest:
    return RightsRequest.objects.select_for_update().select_related("organisation").get(pk=request.pk)


@transaction.atomic
def request_match(*, request: RightsRequest, subject: DataSubject, actor: Actor) -> RightsRequest:
    """Staff match a verified request to the person it is about (no match by address, or several)."""
    request = _locked(request)
    if subject.organisation_id != request.organisation_id:
        raise ValidationError(_("The subject belongs to another organisation."), code="organisation")
    request.subject = subject
    _event(request, Kind.MATCHED, actor=actor, note=f"subject #{subject.pk}")
    _save(request, actor=actor, reason="matched by staff", fields=["subject"])
    _link_history(request)
    return request


@transaction.atomic
def request_objection_scope(
    *, request: RightsRequest, activities: Iterable[ProcessingActivity], actor: Actor
) -> RightsRequest:
    """Name the processing an objection is about (staff, before it is carried out)."""
    request = _locked(request)
    activities = list(activities)
    if request.type != RequestType.OBJECTION:
        raise ValidationError(_("Only an objection names the processing objected to."), code="type")
    if any(a.organisation_id != request.organisation_id for a in activities):
        raise ValidationError(_("The activities must be the organisation's own."), code="organisation")
    request.objected_activities.set(activities)
    _event(request, Kind.MATCHED, actor=actor,
           note="objection to activity " + (", ".join(f"#{a.pk}" for a in activities) or "none"))
    return request


# --- the clock ------------------------------------------------------------------------------------------------


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


# --- deciding -------------------------------------------------------------------------------------------------


@transaction.atomic
def request_refuse(*, request: RightsRequest, ground: str, actor: Actor, explanation: str = "") -> RightsRequest:
    """Refuse, with the ground (Art. 12(5), 12(6), 17(3)); the requester is told it and their right to complain."""
    request = _locked(request)
    if not ground or ground not in RefusalGround.values:
        raise ValidationError(_("A refusal needs its ground."), code="ground")
    if request.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open request can be refused."), code="status")
    request.refusal_ground = ground
    request.status = Status.REFUSED
    request.response = (explanation or "").strip()
    request.closed_at = timezone.now()
    request.handled_by = _user(actor) or request.handled_by
    _event(request, Kind.REFUSED, actor=actor, note=ground)
    _save(request, actor=actor, reason=f"refused ({ground})",
          fields=["refusal_ground", "status", "response", "closed_at", "handled_by"])
    _on_commit_enqueue("receipt_mail", request.pk, "refused")
    return request


@transaction.atomic
def request_withdraw(*, request: RightsRequest, actor: Actor) -> RightsRequest:
    """The requester withdrew the request (told to staff by any channel)."""
    request = _locked(request)
    if request.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open request can be withdrawn."), code="status")
    request.status = Status.WITHDRAWN
    request.closed_at = timezone.now()
    _event(request, Kind.WITHDRAWN, actor=actor)
    _save(request, actor=actor, reason="withdrawn", fields=["status", "closed_at"])
    return request


@transaction.atomic
def request_complete(
    *, request: RightsRequest, actor: Actor, response: str = "", outcome: str = Outcome.DONE,
    mail_to: str | None = None,
) -> RightsRequest:
    """Close a request that was carried out; the requester gets the receipt.

    ``mail_to`` is the address to send the receipt to when the request no longer holds it (an erasure scrubs it).
    """
    request = _locked(request)
    if request.status not in (Status.VERIFIED, Status.AWAITING_APPROVAL, Status.IN_PROGRESS):
        raise ValidationError(_("Only a verified request can be completed."), code="status")
    request.status = Status.COMPLETED
    request.outcome = outcome or Outcome.DONE
    if response:
        request.response = response.strip()
    request.closed_at = timezone.now()
    request.handled_by = _user(actor) or request.handled_by
    _event(request, Kind.COMPLETED, actor=actor, note=request.outcome)
    _save(request, actor=actor, reason=f"completed ({request.outcome})",
          fields=["status", "outcome", "response", "closed_at", "handled_by"])
    if mail_to:
        # Not through a task: the address must not be written anywhere, a broker's payload included.
        transaction.on_commit(partial(_mail_quietly, request.pk, "completed", mail_to))
    else:
        _on_commit_enqueue("receipt_mail", request.pk, "completed")
    return request


@transaction.atomic
def request_rectify(*, request: RightsRequest, changes: dict[str, Any], actor: Actor) -> RightsRequest:
    """Correct the matched subject's data (Art. 16) and complete the request; the subject's history says why."""
    request = _locked(request)
    if request.type != RequestType.RECTIFICATION:
        raise ValidationError(_("Only a rectification request rectifies."), code="type")
    if request.subject is None:
        raise ValidationError(_("Match the request to a data subject first."), code="no_subject")
    if not changes:
        raise ValidationError(_("Nothing to change."), code="no_changes")
    subject_update(subject=request.subject, changes=changes, actor=actor, reason=f"rectified (request #{request.pk})")
    _event(request, Kind.EXECUTED, actor=actor, note="fields: " + ", ".join(sorted(changes)))
    return request_complete(request=request, actor=actor, response=_("Your data has been corrected."))


# --- carrying out ---------------------------------------------------------------------------------------------


def _claim(request: RightsRequest, *, actor: Actor) -> str | None:
    """Take the request for execution with one conditional UPDATE; the status it had, or None if taken already."""
    with transaction.atomic():
        before = RightsRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
        if before not in (Status.VERIFIED, Status.AWAITING_APPROVAL):
            return None
        taken = RightsRequest.objects.filter(pk=request.pk, status=before).update(
            status=Status.IN_PROGRESS, handled_by=_user(actor) or F("handled_by"), updated_at=timezone.now()
        )
        if taken != 1:
            return None
        fresh = RightsRequest.objects.get(pk=request.pk)
        if before == Status.AWAITING_APPROVAL:
            _event(fresh, Kind.APPROVED, actor=actor)
        # QuerySet.update() writes no history row: one is written here, saying what happened.
        fresh._change_reason = "taken for execution"
        fresh.save(update_fields=["updated_at"])
        return before


def request_approve_and_execute(*, request: RightsRequest, actor: Actor) -> RightsRequest:
    """A DPO approves a verified request, and it is carried out at once (exports: by a task)."""
    return request_execute(request=request, actor=actor)


def request_execute(*, request: RightsRequest, actor: Actor = None) -> RightsRequest:
    """Carry a verified request out by its type, through the services of the apps below.

    Raises ValidationError when the request is not ready (not verified, or claimed already, or an objection
    without the processing it is about).
    """
    request = RightsRequest.objects.select_related("organisation", "subject").get(pk=request.pk)
    if request.type == RequestType.OBJECTION and request.subject_id and not request.objected_activities.exists():
        raise ValidationError(_("Choose the processing objected to before carrying the objection out."),
                              code="no_activities")
    before = _claim(request, actor=actor)
    if before is None:
        raise ValidationError(_("Only a verified request can be carried out, once."), code="status")
    try:
        return _EXECUTORS[request.type](request, actor)
    except Exception:
        # Nothing of the type's work committed (each engine call is one transaction); the request is open again.
        RightsRequest.objects.filter(pk=request.pk, status=Status.IN_PROGRESS).update(status=before)
        logger.exception("rights request %s: execution failed", request.pk)
        raise


def _nothing_held(request: RightsRequest, actor: Actor) -> RightsRequest:
    _event(request, Kind.EXECUTED, actor=actor, note="no subject matched")
    return request_complete(
        request=request, actor=actor, outcome=Outcome.NOTHING_HELD,
        response=_in_language(request, gettext_lazy("We hold no personal data about you beyond this request.")),
    )


def _in_language(request: RightsRequest, text) -> str:
    with translation.override(mail.language_of(request)):
        return str(text)


def _request_ref(request: RightsRequest) -> str:
    return f"rights request #{request.pk}"


def _execute_erasure(request: RightsRequest, actor: Actor) -> RightsRequest:
    if request.subject is None:
        return _nothing_held(request, actor)
    subject = request.subject
    address = request.email or ""
    kept = _kept_by_law(subject)
    if kept["holds"] or kept["activities"]:
        return _partial_erasure(request, actor, kept=kept, address=address)
    engine.subject_erase(
        subject=subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST, actor=_user(actor),
        request_ref=_request_ref(request),
    )
    with transaction.atomic():
        _forget_address(organisation=request.organisation, address=address)
        _event(request, Kind.EXECUTED, actor=actor, note=f"subject #{subject.pk} erased")
    return request_complete(
        request=request, actor=actor, outcome=Outcome.DONE, mail_to=address or None,
        response=_in_language(request, gettext_lazy("Your personal data has been erased.")),
    )


def _kept_by_law(subject: DataSubject) -> dict[str, list]:
    """What the law keeps of the subject: active legal holds, and activities run under a legal obligation
    (Art. 6(1)(c); Art. 17(3)(b)) or held as an activity (Art. 17(3)(e))."""
    today = timezone.localdate()
    holds = list(retention_selectors.subject_holds(subject=subject, as_of=today))
    activity_ids = set(Engagement.objects.filter(subject=subject).values_list("activity_id", flat=True))
    obligation = set(
        ProcessingActivity.objects.filter(pk__in=activity_ids, purposes__legal_basis=LegalBasis.LEGAL_OBLIGATION)
        .values_list("pk", flat=True)
    )
    held_activities = {h.activity_id for h in holds if h.activity_id}
    return {
        "holds": holds,
        "subject_held": any(h.subject_id == subject.pk for h in holds),
        "activities": sorted(obligation | held_activities),
        "obligation": sorted(obligation),
    }


def _partial_erasure(request: RightsRequest, actor: Actor, *, kept: dict[str, list], address: str) -> RightsRequest:
    """Erase what the law does not keep: leave the activities kept by law or a hold, drop the person from the
    others, and restrict them (Art. 18(1)(c)) so what is kept serves that duty only."""
    subject = request.subject
    keep = set(kept["activities"])
    detached = 0
    if not kept["subject_held"]:
        with transaction.atomic():
            for activity_id in Engagement.objects.filter(subject=subject).exclude(activity_id__in=keep).values_list(
                "activity_id", flat=True
            ):
                # The engine's own removal of a person from one activity (engagement and its history); it reads
                # only the activity of the rule it is given.
                detached += engine.engagements_detach(rule=RetentionRule(activity_id=activity_id),
                                                      subject_ids=[subject.pk])
    engine.subject_restrict(
        subject=subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST, actor=_user(actor),
        request_ref=_request_ref(request),
    )
    reasons = []
    if kept["holds"]:
        reasons.append("legal hold " + ", ".join(f"#{h.pk}" for h in kept["holds"]))
    if kept["obligation"]:
        reasons.append("legal obligation in activity " + ", ".join(f"#{pk}" for pk in kept["obligation"]))
    note = f"partial: {detached} engagement(s) removed; kept for " + "; ".join(reasons)
    with transaction.atomic():
        _event(request, Kind.EXECUTED, actor=actor, note=note)
    with translation.override(mail.language_of(request)):
        parts = []
        if kept["holds"]:
            parts.append(str(gettext_lazy(
                "Some data is kept because it is needed for the establishment, exercise or defence of legal claims "
                "(Art. 17(3)(e))."
            )))
        if kept["obligation"]:
            names = ", ".join(
                ProcessingActivity.objects.filter(pk__in=kept["obligation"]).values_list("name", flat=True)
            )
            parts.append(str(gettext_lazy(
                "Some data is kept because the law requires us to keep it (Art. 17(3)(b)): %(activities)s."
            ) % {"activities": names}))
        parts.append(str(gettext_lazy(
            "Everything else has been erased, and what is kept is restricted: it is used for nothing but that duty."
        )))
    return request_complete(request=request, actor=actor, outcome=Outcome.PARTIAL, response=" ".join(parts))


def _forget_address(*, organisation: Organisation, address: str) -> None:
    """Other requests with the erased person's address that were never matched (unverified ones, say) lose it."""
    if not address:
        return
    ids = list(
        RightsRequest.objects.filter(organisation=organisation, subject=None, email__iexact=address)
        .values_list("pk", flat=True)
    )
    _scrub_requests(ids)


def _scrub_requests(ids: list[int]) -> None:
    """Empty the requester's address and words on these requests and on every historical row of them."""
    if not ids:
        return
    values = {"email": None, "details": "", "response": "", "extension_reason": ""}
    RightsRequest.objects.filter(pk__in=ids).update(**values, updated_at=timezone.now())
    RightsRequest.history.filter(id__in=ids).update(**values)
    RequestExport.objects.filter(request_id__in=ids).delete()


def _execute_restriction(request: RightsRequest, actor: Actor) -> RightsRequest:
    if request.subject is None:
        return _nothing_held(request, actor)
    record = engine.subject_restrict(
        subject=request.subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST, actor=_user(actor),
        request_ref=_request_ref(request),
    )
    with transaction.atomic():
        _event(request, Kind.EXECUTED, actor=actor,
               note=f"subject #{request.subject_id} restricted" if record else "subject was restricted already")
    return request_complete(
        request=request, actor=actor,
        response=_in_language(request, gettext_lazy(
            "Processing of your personal data is restricted: it is kept, and used for nothing else."
        )),
    )


def _execute_objection(request: RightsRequest, actor: Actor) -> RightsRequest:
    if request.subject is None:
        return _nothing_held(request, actor)
    today = timezone.localdate()
    activities = list(request.objected_activities.filter(engagements__subject=request.subject).distinct())
    with transaction.atomic():
        for activity in activities:
            # The unsubscribed / consent-withdrawn date: marketing selections skip it and retention counts from it.
            engagement_record(subject=request.subject, activity=activity, unsubscribed_on=today, actor=actor,
                              reason=f"objection (request #{request.pk})")
        _event(request, Kind.EXECUTED, actor=actor,
               note="stopped in activity " + (", ".join(f"#{a.pk}" for a in activities) or "none"))
    return request_complete(
        request=request, actor=actor,
        outcome=Outcome.DONE if activities else Outcome.NOTHING_HELD,
        response=_in_language(request, gettext_lazy(
            "The processing you objected to has stopped." if activities
            else "We do not process your personal data in the way you objected to."
        )),
    )


def _execute_consent_withdrawal(request: RightsRequest, actor: Actor) -> RightsRequest:
    if request.subject is None:
        return _nothing_held(request, actor)
    withdrawn = consent_withdrawers.consents_withdraw(
        subject=request.subject, actor=_user(actor), reason=f"request #{request.pk}"
    )
    total = sum(withdrawn.values())
    with transaction.atomic():
        note = ", ".join(f"{name}: {count}" for name, count in withdrawn.items())
        note = note or "nothing to withdraw: no consent records"
        _event(request, Kind.EXECUTED, actor=actor, note=note)
    return request_complete(
        request=request, actor=actor, outcome=Outcome.DONE if total else Outcome.NOTHING_HELD,
        response=_in_language(request, gettext_lazy(
            "Your consent has been withdrawn." if total else "We hold no consent of yours to withdraw."
        )),
    )


def _execute_rectification(request: RightsRequest, actor: Actor) -> RightsRequest:
    # Staff make the correction (request_rectify, or the subject's page) and then complete the request.
    with transaction.atomic():
        _event(request, Kind.EXECUTED, actor=actor, note="awaiting the correction by staff")
    return RightsRequest.objects.get(pk=request.pk)


def _execute_export(request: RightsRequest, actor: Actor) -> RightsRequest:
    if request.subject is None:
        return _nothing_held(request, actor)
    with transaction.atomic():
        _event(request, Kind.EXECUTED, actor=actor, note="export queued")
        _on_commit_enqueue("export_build", request.pk)
    return RightsRequest.objects.get(pk=request.pk)


_EXECUTORS = {
    RequestType.ERASURE: _execute_erasure,
    RequestType.RESTRICTION: _execute_restriction,
    RequestType.OBJECTION: _execute_objection,
    RequestType.CONSENT_WITHDRAWAL: _execute_consent_withdrawal,
    RequestType.RECTIFICATION: _execute_rectification,
    RequestType.ACCESS: _execute_export,
    RequestType.PORTABILITY: _execute_export,
}


def export_build(*, request_id: int) -> bool:
    """Build the access / portability export, keep it server-side, mail a single-use download link, complete.

    The Celery task's body. False when the request is not waiting for an export (a redelivered task).
    """
    with transaction.atomic():
        request = (
            RightsRequest.objects.select_for_update(of=("self",)).select_related("organisation", "subject")
            .filter(pk=request_id, status=Status.IN_PROGRESS, type__in=[RequestType.ACCESS, RequestType.PORTABILITY])
            .first()
        )
        if request is None or request.subject is None:
            return False
        with translation.override(mail.language_of(request)):
            filename, content = exports.export_zip(subject=request.subject, request=request)
        RequestExport.objects.filter(request=request).delete()
        RequestExport.objects.create(
            request=request, filename=filename, content=content, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        raw = _token_create(request=request, purpose=RequestToken.Purpose.DOWNLOAD,
                            lifetime=timedelta(days=settings.RIGHTS_DOWNLOAD_LINK_DAYS))
        _event(request, Kind.EXPORT_READY, note=f"{len(content)} bytes")
        address = request.email
        link = public_url("download", organisation=request.organisation.slug, token=raw)
        if address:
            transaction.on_commit(partial(
                _mail_quietly, request.pk, "export_ready", address,
                {"link": link, "days": settings.RIGHTS_DOWNLOAD_LINK_DAYS},
            ))
        _complete_export(request)
    logger.info("rights request %s: export of %s bytes ready", request_id, len(content))
    return True


def _complete_export(request: RightsRequest) -> None:
    request.status = Status.COMPLETED
    request.outcome = Outcome.DONE
    request.response = _in_language(request, gettext_lazy(
        "A copy of your data was sent to you as a download link that works once."
    ))
    request.closed_at = timezone.now()
    _event(request, Kind.COMPLETED, note=Outcome.DONE)
    _save(request, actor=None, reason="completed (export)", fields=["status", "outcome", "response", "closed_at"])


# --- e-mails --------------------------------------------------------------------------------------------------


def receipt_send(*, request_id: int, kind: str) -> bool:
    """Mail the requester the ``kind`` receipt (the Celery task's body). False when there is no address."""
    request = RightsRequest.objects.select_related("organisation").filter(pk=request_id).first()
    if request is None or not request.email:
        return False
    mail.requester_mail(request=request, kind=kind, to=request.email, extra=_receipt_context(request, kind))
    with transaction.atomic():
        _event(request, Kind.MAILED, note=kind)
    return True


def _receipt_context(request: RightsRequest, kind: str) -> dict[str, Any]:
    # The labels are rendered here, so in the requester's language (a worker runs in the default one).
    with translation.override(mail.language_of(request)):
        return {
            "ground": request.get_refusal_ground_display() if request.refusal_ground else "",
            "extension_reason": request.extension_reason,
            "response": request.response,
            "outcome": request.get_outcome_display() if request.outcome else "",
            "verified": request.verified_at is not None,
        }


def _mail_quietly(request_id: int, kind: str, address: str, extra: dict[str, Any] | None = None) -> None:
    request = RightsRequest.objects.select_related("organisation").filter(pk=request_id).first()
    if request is None:
        return
    try:
        mail.requester_mail(request=request, kind=kind, to=address,
                            extra={**_receipt_context(request, kind), **(extra or {})})
    except Exception as exc:  # the work is done and recorded; a lost receipt must not undo it
        logger.warning("rights request %s: %s e-mail failed (%s)", request_id, kind, type(exc).__name__)
        return
    with transaction.atomic():
        _event(request, Kind.MAILED, note=kind)


# --- schedules ------------------------------------------------------------------------------------------------


def requests_purge_unverified(*, now: datetime | None = None, chunk_size: int = 500) -> int:
    """Unverified requests whose link has expired (plus the grace period) expire and lose the address.

    Chunks of ``chunk_size``, each its own transaction; a rerun picks up what a killed run left.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.RIGHTS_VERIFY_LINK_HOURS + settings.RIGHTS_UNVERIFIED_GRACE_HOURS)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                selectors.requests_unverified_stale(cutoff=cutoff).order_by("pk")
                .select_for_update(skip_locked=True).values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                break
            _scrub_requests(ids)
            RightsRequest.objects.filter(pk__in=ids).update(status=Status.EXPIRED, closed_at=now, minimised_at=now)
            RequestToken.objects.filter(request_id__in=ids, consumed_at=None).update(consumed_at=now)
            RequestEvent.objects.bulk_create([RequestEvent(request_id=pk, kind=Kind.EXPIRED, at=now) for pk in ids])
        total += len(ids)
        logger.info("rights: %s unverified request(s) expired and purged", len(ids))
        if len(ids) < chunk_size:
            break
    return total


def exports_purge_expired(*, now: datetime | None = None) -> int:
    """Exports whose download link has expired (or was never mailed) are deleted: nobody can fetch them any more."""
    now = now or timezone.now()
    live_link = RequestToken.objects.filter(
        request_id=OuterRef("request_id"), purpose=RequestToken.Purpose.DOWNLOAD, consumed_at=None, expires_at__gt=now
    )
    deleted, _per_model = RequestExport.objects.filter(~Exists(live_link)).delete()
    if deleted:
        logger.info("rights: %s expired export(s) deleted", deleted)
    return deleted


def requests_minimise(*, now: datetime | None = None, chunk_size: int = 500) -> int:
    """Closed requests older than RIGHTS_MINIMISE_AFTER_DAYS keep codes and dates only."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RIGHTS_MINIMISE_AFTER_DAYS)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                selectors.requests_to_minimise(cutoff=cutoff).order_by("pk")
                .select_for_update(skip_locked=True).values_list("pk", flat=True)[:chunk_size]
            )
            if not ids:
                break
            _scrub_requests(ids)
            RightsRequest.objects.filter(pk__in=ids).update(minimised_at=now)
            RequestEvent.objects.bulk_create([RequestEvent(request_id=pk, kind=Kind.MINIMISED, at=now) for pk in ids])
        total += len(ids)
        logger.info("rights: %s closed request(s) minimised", len(ids))
        if len(ids) < chunk_size:
            break
    return total


def _dpo_addresses(organisation: Organisation) -> list[str]:
    addresses = list(
        PrivacyContact.objects.filter(organisation=organisation, role=PrivacyContact.Role.DPO)
        .exclude(email="").values_list("email", flat=True)
    )
    return addresses or ([settings.RIGHTS_DPO_EMAIL] if settings.RIGHTS_DPO_EMAIL else [])


def dpo_digest_send(*, today: date | None = None) -> int:
    """Mail each organisation's DPO the requests due within 7 days and those overdue; returns the mails sent."""
    today = today or timezone.localdate()
    by_organisation: dict[int, list[RightsRequest]] = {}
    for request in selectors.requests_for_digest(today=today, days=DIGEST_DAYS):
        by_organisation.setdefault(request.organisation_id, []).append(request)
    sent = 0
    for requests in by_organisation.values():
        organisation = requests[0].organisation
        to = _dpo_addresses(organisation)
        if not to:
            logger.warning("rights digest: organisation %s has no DPO address", organisation.pk)
            continue
        rows = [{
            "id": r.pk, "type": r.get_type_display(), "status": r.get_status_display(), "due": r.deadline,
            "days_left": (r.deadline - today).days, "overdue": r.deadline < today,
            "link": settings.PUBLIC_BASE_URL + reverse("admin:rights_rightsrequest_change", args=[r.pk]),
        } for r in requests]
        mail.digest_mail(to=to, organisation=organisation, rows=rows, today=today)
        sent += 1
    return sent
