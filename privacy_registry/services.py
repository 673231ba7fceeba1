"""Writes to the register. The admin and the demo loader call these; each owns its transaction and
sets simple-history's change reason, so the audit trail says why as well as what."""
from __future__ import annotations

from django.db import models, transaction


@transaction.atomic
def record_save(*, instance: models.Model, actor=None, reason: str = "") -> models.Model:
    """Save one register record, its history row attributed to `actor` and explained by `reason`."""
    if reason:
        instance._change_reason = reason
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance.save()
    return instance
