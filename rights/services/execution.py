"""Carrying a verified request out by its type, through the services of the apps below.

The erasure engine's per-person path (``retention.engine.subject_erase`` / ``subject_restrict``) for erasure and
restriction, subjects' services for engagements and rectification, the consent withdrawers' registry for consent.
The engine owns its (durable) transaction, so ``request_execute`` runs in three steps: claim the request (one
conditional UPDATE, so two approvals cannot both run it), act, then record the outcome. A failure while acting puts
the request back where it was and re-raises."""
from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy_registry.models import LegalBasis, Organisation, ProcessingActivity
from privacy_registry.services import acting_user as _user
from retention import engine
from retention import selectors as retention_selectors
from retention.models import ErasureRecord, RetentionRule
from subjects import consent_withdrawers
from subjects.models import DataSubject, Engagement
from subjects.services import engagement_record

from .. import mail
from ..models import Outcome, RequestType, RightsRequest, Status
from .closing import request_complete
from .common import Actor, Kind, _event, _in_language, _on_commit_enqueue, _request_ref, _scrub_requests
from .intake import direct_marketing_scope

logger = logging.getLogger(__name__)


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
    # An objection to direct marketing names its activities itself (direct_marketing_scope); any other objection
    # waits for staff to name the processing they decided to stop.
    if (request.type == RequestType.OBJECTION and request.subject_id and not request.direct_marketing
            and not request.objected_activities.exists()):
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

