"""Small helpers every part of the rights services shares: saving a request with its change reason, adding a
timeline event, the language and country of a request, public links and task enqueues after commit, and the
scrubbing of a requester's address and words (erasure, purge and minimisation all use it)."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from privacy_registry.models import Organisation
from privacy_registry.services import acting_user as _user
from subjects.personal_data import declaration_for

from .. import mail
from ..models import RequestEvent, RequestExport, RightsRequest

logger = logging.getLogger(__name__)


Actor = AbstractBaseUser | AnonymousUser | None


Kind = RequestEvent.Kind


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
    from .. import tasks

    task = getattr(tasks, task_name)
    try:
        task.delay(*args)
    except Exception as exc:  # the broker's errors vary by transport; the request stays as it is in the database
        logger.warning("rights task %s for %s not enqueued (%s)", task_name, args, type(exc).__name__)


def _on_commit_enqueue(task_name: str, *args: Any) -> None:
    transaction.on_commit(partial(_enqueue, task_name, *args))


def _locked(request: RightsRequest) -> RightsRequest:
    return RightsRequest.objects.select_for_update().select_related("organisation").get(pk=request.pk)


def _in_language(request: RightsRequest, text) -> str:
    with translation.override(mail.language_of(request)):
        return str(text)


def _request_ref(request: RightsRequest) -> str:
    return f"rights request #{request.pk}"


def _scrub_requests(ids: list[int]) -> None:
    """Scrub the requester's address and words on these requests and on every historical row of them, and delete
    their exports, exactly as the personal-data declaration says (``rights.apps``, in ``subjects.personal_data``):
    erasure (the erased person's unmatched requests), the purge of unverified requests and the minimisation of
    closed ones leave the same values as the engine's erasure of a subject."""
    if not ids:
        return
    requests = declaration_for(RightsRequest)
    requests.apply(RightsRequest.objects.filter(pk__in=ids), extra={"updated_at": timezone.now()})
    requests.apply(RightsRequest.history.filter(id__in=ids), historical=True)
    declaration_for(RequestExport).apply(RequestExport.objects.filter(request_id__in=ids))

