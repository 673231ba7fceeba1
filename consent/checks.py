"""Consent's register check, plugged into ``privacy_registry.checks`` from ``ConsentConfig.ready()``.

- CON001: a purpose of an activity in force whose basis is Art. 6(1)(a) consent, but that no consent purpose
  covers: nothing records who consented, to which wording, or lets them withdraw (Art. 7(1), 7(3)).

One query, whatever the size of the register.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy_registry.checks import Finding, Scope, Severity, register
from privacy_registry.models import LegalBasis, Purpose

from .models import ConsentPurpose


@register("CON001", severity=Severity.WARNING, title=_("Consent basis without a consent purpose"))
def consent_basis_without_consent_purpose(scope: Scope) -> Iterable[Finding]:
    covered = ConsentPurpose.register_purposes.through.objects.filter(purpose_id=OuterRef("pk"))
    purposes = (
        Purpose.objects.filter(
            activity__in=scope.controller_activities(), legal_basis=LegalBasis.CONSENT,
        )
        .filter(~Exists(covered))
        .select_related("activity")
        .only("pk", "description", "activity__name", "activity__organisation_id")
        .order_by("pk")
    )
    message = gettext(
        "“%(purpose)s” (%(activity)s) relies on consent (Art. 6(1)(a)) but no consent purpose records it: nobody's "
        "consent can be shown or withdrawn (Art. 7(1), 7(3))."
    )
    for purpose in purposes:
        yield scope.finding(
            purpose, message % {"purpose": purpose.description, "activity": purpose.activity.name},
            organisation_id=purpose.activity.organisation_id, activity_id=purpose.activity_id,
        )
