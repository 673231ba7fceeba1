"""Closing a request: refused with its ground, withdrawn, completed (with the receipt), or rectified."""
from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy_registry.services import acting_user as _user
from subjects.services import subject_update

from .. import selectors
from ..models import OPEN_STATUSES, Outcome, RefusalGround, RequestType, RightsRequest, Status
from .common import Actor, Kind, _event, _in_language, _locked, _on_commit_enqueue, _save
from .receipts import _mail_quietly


@transaction.atomic
def request_refuse(*, request: RightsRequest, ground: str, actor: Actor, explanation: str = "") -> RightsRequest:
    """Refuse, with the ground (Art. 12(5), 12(6), 17(3)); the requester is told it and their right to complain."""
    request = _locked(request)
    if not ground or ground not in RefusalGround.values:
        raise ValidationError(_("A refusal needs its ground."), code="ground")
    if request.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open request can be refused."), code="status")
    if request.type == RequestType.OBJECTION and request.direct_marketing and ground != RefusalGround.IDENTITY:
        # Art. 21(3): no balancing and no exemption; only a requester who is not shown to be the person is refused.
        raise ValidationError(_(
            "An objection to direct marketing cannot be refused: direct marketing stops (Art. 21(3)). Only an "
            "identity that could not be confirmed (Art. 12(6)) is a ground."
        ), code="direct_marketing")
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


def _require_carried_out(request: RightsRequest) -> None:
    """A request is completed (or rectified, which completes it) only once it is being carried out.

    Approval is the DPO's decision: ``request_approve_and_execute`` claims the request (``in_progress``) and carries
    it out by its type. A request still awaiting approval, or verified and queued to be carried out automatically,
    has not been carried out: completing it would close it as done, tell the requester so, and skip the work (an
    erasure would erase nothing). Every caller (admin action, views, tasks) meets this check here.
    """
    if request.status == Status.AWAITING_APPROVAL:
        raise ValidationError(_(
            "This request awaits the DPO's decision: it is carried out and completed by \"Approve and carry out\", "
            "or closed by a refusal. It cannot be completed before that."
        ), code="awaiting_approval")
    if request.status != Status.IN_PROGRESS:
        raise ValidationError(_("Only a request that is being carried out can be completed."), code="status")


@transaction.atomic
def request_complete(
    *, request: RightsRequest, actor: Actor, response: str = "", outcome: str = Outcome.DONE,
    mail_to: str | None = None,
) -> RightsRequest:
    """Close a request that was carried out; the requester gets the receipt.

    ``mail_to`` is the address to send the receipt to when the request no longer holds it (an erasure scrubs it).
    """
    request = _locked(request)
    _require_carried_out(request)
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
    _require_carried_out(request)
    if request.subject is None:
        raise ValidationError(_("Match the request to a data subject first."), code="no_subject")
    rectifiable = selectors.rectifiable_fields()
    unknown = sorted(set(changes) - set(rectifiable))
    if unknown:
        raise ValidationError(_("These fields are not the person's data a rectification corrects: %(fields)s.")
                              % {"fields": ", ".join(unknown)}, code="fields")
    # Only what differs is a correction (and only its name goes into the timeline).
    changes = {name: value for name, value in changes.items() if getattr(request.subject, name) != value}
    if not changes:
        raise ValidationError(_("Nothing to change."), code="no_changes")
    # The change reason names the request, never the values: historical rows are scrubbed by field, reasons not.
    subject_update(subject=request.subject, changes=changes, actor=actor, reason=f"rectified (request #{request.pk})")
    _event(request, Kind.EXECUTED, actor=actor, note="corrected: " + ", ".join(f for f in rectifiable if f in changes))
    # In the requester's language: the response is mailed to them.
    return request_complete(request=request, actor=actor,
                            response=_in_language(request, gettext_lazy("Your data has been corrected.")))

