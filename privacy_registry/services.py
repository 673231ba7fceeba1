"""Writes to the register. The admin and the demo loader call these; each owns its transaction and
sets simple-history's change reason, so the audit trail says why as well as what."""
from __future__ import annotations

from django.db import models, transaction


def acting_user(actor):
    """The user a history row is attributed to: the actor when signed in, else nobody (a task, a command)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def attribute(instance: models.Model, *, actor, reason: str) -> None:
    """Tell simple-history who makes the next save of ``instance`` and why (every app's services use this)."""
    instance._change_reason = reason
    if acting_user(actor) is not None:
        instance._history_user = actor


@transaction.atomic
def record_save(*, instance: models.Model, actor=None, reason: str = "") -> models.Model:
    """Save one register record, its history row attributed to `actor` and explained by `reason`."""
    if reason:
        instance._change_reason = reason
    if acting_user(actor) is not None:
        instance._history_user = actor
    instance.save()
    return instance
