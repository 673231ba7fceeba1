"""Consent withdrawers: how a rights request withdraws consents that a higher app keeps.

The ``rights`` app carries out a request to withdraw consent (Art. 7(3)); the consent records live in the
``consent`` app, which sits below ``rights`` but above ``subjects``. So the rights app calls this registry, and
the consent app plugs its withdrawal in from ``ConsentConfig.ready()``, the way Django's system checks are
registered::

    from subjects.consent_withdrawers import register

    register("consent", consents_withdraw_for_request)

A withdrawer is called as ``withdrawer(subject=..., actor=..., reason=...)`` inside no transaction of the
caller's, owns its own, and returns how many consents it withdrew (0 when the person had none). With no
withdrawer registered, ``consents_withdraw`` returns an empty mapping and the request records that there was
nothing to withdraw.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class Withdrawer(Protocol):
    def __call__(self, *, subject: Any, actor: Any, reason: str) -> int: ...


_withdrawers: dict[str, Callable[..., int]] = {}


def register(name: str, withdrawer: Withdrawer) -> None:
    """Register (or replace) the withdrawer called ``name``."""
    _withdrawers[name] = withdrawer


def unregister(name: str) -> None:
    _withdrawers.pop(name, None)


def registered() -> tuple[str, ...]:
    return tuple(_withdrawers)


def consents_withdraw(*, subject: Any, actor: Any = None, reason: str) -> Mapping[str, int]:
    """Withdraw every consent the registered apps keep for ``subject``: withdrawer name → consents withdrawn."""
    return {name: int(withdrawer(subject=subject, actor=actor, reason=reason)) for name, withdrawer in
            list(_withdrawers.items())}
