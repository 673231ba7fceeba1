"""Carrying a verified request out by its type, through the services of the apps below.

The erasure engine's per-person path (``retention.engine.subject_erase`` / ``subject_restrict``) for erasure and
restriction, subjects' services for engagements and rectification, the consent withdrawers' registry for consent.

Design note.
- One transaction: the claim (one conditional UPDATE, so two approvals cannot both run it), the work of the apps
  below (the engine's calls join the caller's transaction), the timeline and the closing (``request_complete``)
  commit together or not at all. A process killed anywhere before the commit leaves the request as it was
  (verified, or awaiting approval) and the person untouched; carrying it out again (a DPO's approval, the
  redelivered ``rights.execute`` task) does it all, once. The receipt is mailed after the commit, to the address
  read before the erasure scrubbed it: the address is kept nowhere else, so it could not be read again after an
  erasure that had committed without its closing.
- What commits "in progress": an access or portability request, whose export a task builds after the commit, and a
  rectification, which waits for staff's correction. The claim records when it was taken (``execution_started_at``).
  A request in progress longer than RIGHTS_EXECUTION_STALE_AFTER_MINUTES was interrupted (its export task was lost,
  or an earlier version of this module, which committed claim, work and closing apart, was killed between them): it
  is taken again by the admin's "Carry out again" and by the beat's ``requests_execution_resume``; the
  ``rights.execute`` task, being the request's own execution redelivered, takes it again at any age. A rectification
  is never taken again: it is staff's work.
- Taking it again is safe: each executor recognises work already done (an erased subject is erased again as a no-op
  that returns the earlier record, a restricted one is not restricted again, withdrawn consents and stopped
  engagements stay as they are) and goes on to close; an export is queued again, and building it does nothing once
  the request is completed. A request taken again after an erasure that had committed cannot mail its receipt: the
  address went with the person.
- A request with no matched subject closes as "nothing held" only when no data subject of the organisation has the
  requester's address: when several have it (or one added since verification), it waits for staff to choose."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from privacy_registry.models import LegalBasis, Organisation, ProcessingActivity
from privacy_registry.services import acting_user as _user
from retention import engine
from retention import selectors as retention_selectors
from retention.models import ErasureRecord, RetentionRule
from subjects import consent_withdrawers
from subjects.models import DataSubject, Engagement
from subjects.services import engagement_record

from .. import mail, selectors
from ..models import Outcome, RequestType, RightsRequest, Status
from .closing import request_complete
from .common import Actor, Kind, _event, _in_language, _on_commit_enqueue, _request_ref, _scrub_requests
from .intake import direct_marketing_scope

logger = logging.getLogger(__name__)

# Stuck requests the beat carries out again in one run (each in its own transaction); the rest wait for the next.
RESUME_BATCH = 100


def _stale_after() -> timedelta:
    return timedelta(minutes=settings.RIGHTS_EXECUTION_STALE_AFTER_MINUTES)


def _claim(request: RightsRequest, *, actor: Actor, stale_before: datetime) -> str | None:
    """Take the request for execution with one conditional UPDATE, in the caller's transaction: a verified request,
    or one whose execution was interrupted (in progress since before ``stale_before``). The status it had, or None
    when it is not to be taken."""
    row = RightsRequest.objects.filter(pk=request.pk).values("status", "execution_started_at").first()
    if row is None:
        return None
    before, started = row["status"], row["execution_started_at"]
    if before not in (Status.VERIFIED, Status.AWAITING_APPROVAL) and not RightsRequest.objects.filter(
        selectors.execution_stuck_q(cutoff=stale_before), pk=request.pk
    ).exists():
        return None
    now = timezone.now()
    taken = RightsRequest.objects.filter(pk=request.pk, status=before, execution_started_at=started).update(
        status=Status.IN_PROGRESS, execution_started_at=now, handled_by=_user(actor) or F("handled_by"),
        updated_at=now,
    )
    if taken != 1:
        return None
    fresh = RightsRequest.objects.get(pk=request.pk)
    if before == Status.AWAITING_APPROVAL:
        _event(fresh, Kind.APPROVED, actor=actor)
    elif before == Status.IN_PROGRESS:
        since = started.isoformat(timespec="minutes") if started else "before the claim was timed"
        _event(fresh, Kind.RETRIED, actor=actor, note=f"in progress since {since}")
    # QuerySet.update() writes no history row: one is written here, saying what happened.
    fresh._change_reason = "taken again for execution" if before == Status.IN_PROGRESS else "taken for execution"
    fresh.save(update_fields=["updated_at"])
    return before


def request_approve_and_execute(*, request: RightsRequest, actor: Actor) -> RightsRequest:
    """A DPO approves a verified request, and it is carried out at once (exports: by a task)."""
    return request_execute(request=request, actor=actor)


def request_execute(
    *, request: RightsRequest, actor: Actor = None, resume_after: timedelta | None = None
) -> RightsRequest:
    """Carry a verified request out by its type, through the services of the apps below, in one transaction.

    A request whose execution was interrupted (in progress longer than ``resume_after``, by default
    RIGHTS_EXECUTION_STALE_AFTER_MINUTES) is taken again and finished. Raises ValidationError when the request is
    not ready (not verified, closed, being carried out, an objection without the processing it is about, or no
    subject chosen while the requester's address matches some).
    """
    request = RightsRequest.objects.select_related("organisation", "subject").get(pk=request.pk)
    _refuse_unless_ready(request)
    resume_after = _stale_after() if resume_after is None else resume_after
    try:
        with transaction.atomic(durable=True):
            if _claim(request, actor=actor, stale_before=timezone.now() - resume_after) is None:
                raise _not_claimable(request)
            request = RightsRequest.objects.select_related("organisation", "subject").get(pk=request.pk)
            return _EXECUTORS[request.type](request, actor)
    except ValidationError:
        raise
    except Exception:
        # Nothing committed: the claim rolled back with the work, and the request is as it was.
        logger.exception("rights request %s: execution failed", request.pk)
        raise


def _refuse_unless_ready(request: RightsRequest) -> None:
    # An objection to direct marketing names its activities itself (direct_marketing_scope); any other objection
    # waits for staff to name the processing they decided to stop.
    if (request.type == RequestType.OBJECTION and request.subject_id and not request.direct_marketing
            and not request.objected_activities.exists()):
        raise ValidationError(_("Choose the processing objected to before carrying the objection out."),
                              code="no_activities")
    if request.subject_id is None and request.email:
        # Unmatched is "nothing held" only when nobody has the address: several people with it (or one added since
        # verification) is for staff to resolve, never a reply that nothing is held.
        candidates = len(selectors.subject_candidates(request=request)[:2])
        if candidates > 1:
            raise ValidationError(_(
                "The requester's address matches several data subjects: choose the one this request is about (the "
                "request's “matched data subject”) before carrying it out."
            ), code="no_subject")
        if candidates == 1:
            raise ValidationError(_(
                "The requester's address matches a data subject: match the request to it (the request's “matched "
                "data subject”) before carrying it out."
            ), code="no_subject")


def _not_claimable(request: RightsRequest) -> ValidationError:
    current = RightsRequest.objects.filter(pk=request.pk).values_list("status", flat=True).first()
    if current == Status.IN_PROGRESS and request.type != RequestType.RECTIFICATION:
        minutes = settings.RIGHTS_EXECUTION_STALE_AFTER_MINUTES
        return ValidationError(ngettext(
            "This request is being carried out. If it is still in progress %(minutes)d minute after it was taken, "
            "it was interrupted, and it can be carried out again.",
            "This request is being carried out. If it is still in progress %(minutes)d minutes after it was taken, "
            "it was interrupted, and it can be carried out again.", minutes,
        ) % {"minutes": minutes}, code="in_progress")
    return ValidationError(_("Only a verified request can be carried out, once."), code="status")


def request_execution_retry(*, request: RightsRequest, actor: Actor) -> RightsRequest:
    """Carry out again a request whose execution was interrupted (in progress longer than
    RIGHTS_EXECUTION_STALE_AFTER_MINUTES): what was done is recognised, the rest is done, the request closes."""
    cutoff = timezone.now() - _stale_after()
    if not RightsRequest.objects.filter(selectors.execution_stuck_q(cutoff=cutoff), pk=request.pk).exists():
        minutes = settings.RIGHTS_EXECUTION_STALE_AFTER_MINUTES
        raise ValidationError(ngettext(
            "Only a request in progress for more than %(minutes)d minute (an interrupted execution) is carried out "
            "again.",
            "Only a request in progress for more than %(minutes)d minutes (an interrupted execution) is carried out "
            "again.", minutes,
        ) % {"minutes": minutes}, code="not_stuck")
    return request_execute(request=request, actor=actor)


def requests_execution_resume() -> int:
    """The beat's job: carry out again the requests whose execution was interrupted, each in its own transaction.
    Returns how many were taken again; one that fails stays in progress, shown on the dashboard."""
    cutoff = timezone.now() - _stale_after()
    ids = list(selectors.requests_execution_stuck(cutoff=cutoff).values_list("pk", flat=True)[:RESUME_BATCH])
    resumed = 0
    for request_id in ids:
        try:
            request_execute(request=RightsRequest(pk=request_id))
        except ValidationError as exc:  # taken meanwhile, or waiting for staff (e.g. a subject to choose)
            logger.info("rights request %s: not carried out again (%s)", request_id, exc.code)
        except Exception:  # logged by request_execute; the others go on
            continue
        else:
            resumed += 1
    if ids:
        logger.info("rights: %d of %d interrupted request(s) carried out again", resumed, len(ids))
    return resumed


def _nothing_held(request: RightsRequest, actor: Actor) -> RightsRequest:
    _event(request, Kind.EXECUTED, actor=actor, note="no subject matched")
    return request_complete(
        request=request, actor=actor, outcome=Outcome.NOTHING_HELD,
        response=_in_language(request, gettext_lazy("We hold no personal data about you beyond this request.")),
    )


def _execute_erasure(request: RightsRequest, actor: Actor) -> RightsRequest:
    if request.subject is None:
        return _nothing_held(request, actor)
    subject = request.subject
    address = request.email or ""
    # Taken again after an interrupted execution whose erasure had committed: the engine returns the earlier record.
    erased_already = subject.state == DataSubject.State.ERASED
    if not erased_already:
        kept = _kept_by_law(subject)
        if kept["holds"] or kept["activities"]:
            return _partial_erasure(request, actor, kept=kept, address=address)
    engine.subject_erase(
        subject=subject, reason=ErasureRecord.Reason.RIGHTS_REQUEST, actor=_user(actor),
        request_ref=_request_ref(request),
    )
    with transaction.atomic():
        _forget_address(organisation=request.organisation, address=address)
        note = f"subject #{subject.pk} was erased already" if erased_already else f"subject #{subject.pk} erased"
        if erased_already and not address:
            note += "; no receipt: the requester's address went with the erasure"
        _event(request, Kind.EXECUTED, actor=actor, note=note)
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
    with transaction.atomic():
        # Direct marketing stops in full, whatever was chosen before (Art. 21(3)): an activity given a
        # direct-marketing purpose, or an engagement recorded, since the request was verified is included.
        direct_marketing_scope(request=request, actor=actor)
        activities = list(
            request.objected_activities.filter(engagements__subject=request.subject).distinct().order_by("pk")
        )
        for activity in activities:
            # The unsubscribed / consent-withdrawn date: marketing selections skip it and retention counts from it.
            # An earlier date is kept: the processing stopped then, and retention counts from then.
            engagement = Engagement.objects.filter(subject=request.subject, activity=activity).first()
            if engagement is not None and engagement.unsubscribed_on is not None:
                continue
            engagement_record(subject=request.subject, activity=activity, unsubscribed_on=today, actor=actor,
                              reason=f"objection (request #{request.pk})")
        note = "stopped in activity " + (", ".join(f"#{a.pk}" for a in activities) or "none")
        if request.direct_marketing:
            note += " (direct marketing, Art. 21(3))"
        _event(request, Kind.EXECUTED, actor=actor, note=note)
    if request.direct_marketing:
        response = (
            gettext_lazy("Direct marketing to you has stopped, and we will not use your data for it again.")
            if activities else gettext_lazy("We do not use your personal data for direct marketing.")
        )
    else:
        response = (
            gettext_lazy("The processing you objected to has stopped.") if activities
            else gettext_lazy("We do not process your personal data in the way you objected to.")
        )
    return request_complete(
        request=request, actor=actor,
        outcome=Outcome.DONE if activities else Outcome.NOTHING_HELD,
        response=_in_language(request, response),
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

