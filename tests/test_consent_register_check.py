"""CON001: a purpose in force whose basis is Art. 6(1)(a) and that no consent purpose covers is reported, from the
consent app's check plugged into the register's registry; covering it clears the finding."""
from __future__ import annotations

import pytest

from privacy_registry.checks import get_checks, run_checks
from privacy_registry.models import LegalBasis, ProcessingActivity
from tests import factories as f

pytestmark = pytest.mark.django_db


def _findings(**scope):
    return [x for x in run_checks(**scope) if x.check_id == "CON001"]


def test_the_check_is_registered_from_the_consent_app():
    assert "CON001" in {check.id for check in get_checks()}


def test_consent_basis_without_a_consent_purpose_is_reported_until_one_covers_it():
    activity = f.ProcessingActivityFactory()
    needs = f.PurposeFactory(activity=activity, legal_basis=LegalBasis.CONSENT, description="Newsletter")
    f.PurposeFactory(activity=activity, legal_basis=LegalBasis.CONTRACT)
    draft = f.ProcessingActivityFactory(organisation=activity.organisation, status=ProcessingActivity.Status.DRAFT)
    f.PurposeFactory(activity=draft, legal_basis=LegalBasis.CONSENT)

    findings = _findings()
    assert [(x.object_pk, x.organisation_id, x.activity_id) for x in findings] == [
        (needs.pk, activity.organisation_id, activity.pk)]
    assert "Newsletter" in findings[0].message and findings[0].admin_url.endswith(f"/{needs.pk}/change/")
    assert _findings(organisation=f.OrganisationFactory()) == []

    f.ConsentPurposeFactory(organisation=activity.organisation, register_purposes=[needs])
    assert _findings() == []
