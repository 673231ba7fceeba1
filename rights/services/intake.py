"""Requests coming in and proving who sent them: the public form, the e-mailed link, staff logging a request
that came another way, verification by staff, matching to a data subject and naming what an objection is about.

Known and unknown addresses take the same path when a request is submitted: the address is matched to a data
subject only once the requester proves it is theirs (``request_verify``)."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy_registry.models import Organisation, ProcessingActivity
from privacy_registry.services import acting_user as _user
from subjects.models import DataSubject

from .. import deadlines, mail, selectors
from ..models import Channel, ClockPause, RequestToken, RequestType, RightsRequest, Status, VerificationMethod
from .clock import _recompute_due
from .common import Actor, Kind, _country, _event, _language, _locked, _on_commit_enqueue, _save, public_url
from .tokens import _token_consume, _token_create

logger = logging.getLogger(__name__)


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
    direct_marketing_scope(request=request, actor=actor)
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
        direct_marketing_scope(request=request, actor=actor)
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
    direct_marketing_scope(request=request, actor=actor)
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
    if request.direct_marketing and request.subject_id is not None:
        # Staff may add to an objection to direct marketing, never take its direct-marketing activities out of it.
        chosen = {a.pk for a in activities}
        activities += [a for a in selectors.direct_marketing_activities(subject=request.subject) if a.pk not in chosen]
    request.objected_activities.set(activities)
    _event(request, Kind.MATCHED, actor=actor,
           note="objection to activity " + (", ".join(f"#{a.pk}" for a in activities) or "none"))
    return request


def direct_marketing_scope(*, request: RightsRequest, actor: Actor) -> list[ProcessingActivity]:
    """An objection to direct marketing names, by itself, the matched person's activities whose purposes are direct
    marketing (Art. 21(2)-(3): nothing to weigh, so nothing for staff to choose). Adds those not named yet and
    records them in the timeline; returns the ones added. In the caller's transaction."""
    if request.type != RequestType.OBJECTION or not request.direct_marketing or request.subject_id is None:
        return []
    named = set(request.objected_activities.values_list("pk", flat=True))
    added = [a for a in selectors.direct_marketing_activities(subject=request.subject) if a.pk not in named]
    if added:
        request.objected_activities.add(*added)
        _event(request, Kind.MATCHED, actor=actor,
               note="direct marketing: activity " + ", ".join(f"#{a.pk}" for a in added))
    return added

