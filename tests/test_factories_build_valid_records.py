from __future__ import annotations

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        f.OrganisationFactory, f.PrivacyContactFactory, f.DataSubjectCategoryFactory, f.PersonalDataCategoryFactory,
        f.VendorFactory, f.SubProcessorFactory, f.SystemFactory, f.SecurityMeasureFactory,
        f.ProcessingActivityFactory, f.PurposeFactory, f.DataSourceFactory, f.RecipientFactory,
        f.TransferFactory, f.IncidentFactory,
    ],
)
def test_factory_builds_a_record_that_passes_model_validation(factory):
    obj = factory()
    obj.full_clean()
    assert type(obj).objects.filter(pk=obj.pk).exists()
