"""The authority templates' "link to record of consent" is filled from the consent app: per activity, each consent
purpose covering its consent-based purposes, the consents in force and the link to their records."""
from __future__ import annotations

import pytest

from consent import services
from consent.models import Method
from privacy_registry.exports.record import CONSENT_RECORDS, build_record
from privacy_registry.models import LegalBasis
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_record_of_consent_is_linked_per_activity(settings):
    settings.PUBLIC_BASE_URL = "https://registry.example.org"
    activity = f.ProcessingActivityFactory(name="Newsletter")
    other = f.ProcessingActivityFactory(organisation=activity.organisation, name="Payroll")
    register_purpose = f.PurposeFactory(activity=activity, legal_basis=LegalBasis.CONSENT)
    purpose = f.ConsentPurposeFactory(organisation=activity.organisation, name="Monthly newsletter",
                                      register_purposes=[register_purpose])
    for _ in range(2):
        services.consent_give(purpose=purpose, subject=f.DataSubjectFactory(organisation=activity.organisation),
                              method=Method.FORM)

    record = build_record(organisation=activity.organisation)

    items = {item.name: item for item in record.controller_activities}
    lines = items["Newsletter"].annotation(CONSENT_RECORDS)
    assert len(lines) == 1
    assert "Monthly newsletter" in lines[0] and "2 consents in force" in lines[0]
    assert f"https://registry.example.org/admin/consent/consentrecord/?purpose__id__exact={purpose.pk}" in lines[0]
    assert items["Payroll"].annotation(CONSENT_RECORDS) == ()
    assert other.pk
