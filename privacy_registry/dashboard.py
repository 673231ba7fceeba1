"""Alerts at the top of the admin dashboard, as a registry: an app above the register (retention: a sweep that
failed or is stuck) contributes a source from its ``AppConfig.ready()``, so the register never imports it.

A source takes the signed-in user and returns the alerts that user may see: it checks the view permission of
the records it points at itself, and returns nothing to a user without it. Sources run in registration order,
each in a fixed number of queries.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


@dataclass(frozen=True)
class Alert:
    """One line at the top of the dashboard: what needs a person, and where to act on it."""

    level: Level
    message: str
    url: str = ""
    link_text: str = ""


AlertSource = Callable[..., Iterable[Alert]]
_sources: dict[str, AlertSource] = {}


def register(name: str, source: AlertSource) -> None:
    """Add ``source(user)`` under ``name``; registering the same name again replaces it (a ``ready()`` run twice
    is harmless)."""
    _sources[name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def alerts_for(*, user) -> list[Alert]:
    """Every source's alerts for ``user``, errors first (otherwise in registration order)."""
    alerts = [alert for source in _sources.values() for alert in source(user)]
    return sorted(alerts, key=lambda alert: alert.level != Level.ERROR)
