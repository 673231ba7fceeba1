"""The access export tells the person what Art. 15(1)(a)-(h) and 15(2) list, from the register, and nothing more."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import timezone, translation

from consent.models import ConsentRecord, Method
from privacy_registry.models import DataSource, LegalBasis, StatedRight, Transfer
from rights import exports
from tests.factories import (
    ConsentPurposeFactory,
    DataSourceFactory,
    DataSubjectFactory,
    EngagementFactory,
    PersonalDataCategoryFactory,
    ProcessingActivityFactory,
    PurposeFactory,
    RightsRequestFactory,
    StatedRightFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    subject = DataSubjectFactory()
    organisation = subject.organisation
    organisation.lead_authority = "Integritetsskyddsmyndigheten (IMY)"
    organisation.save()
    activity = ProcessingActivityFactory(
        organisation=organisation, name="Newsletter", profiling=True,
        automated_logic="Opens and clicks rank the topics shown first.",
    )
    PurposeFactory(activity=activity, legal_basis=LegalBasis.CONSENT, description="Monthly newsletter")
    activity.data_categories.add(PersonalDataCategoryFactory(name="Contact details"))
    DataSourceFactory(activity=activity, kind=DataSource.Kind.THIRD_PARTY, description="Event partner's guest list")
    TransferFactory(activity=activity, mechanism=Transfer.Mechanism.SCC, safeguard_document="https://example.com/scc")
    EngagementFactory(subject=subject, activity=activity)
    StatedRightFactory(organisation=organisation, right=StatedRight.Right.ACCESS, channel="privacy@example.com")
    purpose = ConsentPurposeFactory(organisation=organisation, name="Newsletter by e-mail")
    ConsentRecord.objects.create(purpose=purpose, subject=subject, state=ConsentRecord.State.GIVEN,
                                 method=Method.FORM, given_at=timezone.now(), wording_version=1)
    return subject


def test_each_processing_lists_categories_sources_transfers_and_automated_decisions(person):
    data = exports.export_data(subject=person)
    exports.check_against_schema(data)
    activity = data["engagements"][0]["activity"]
    assert [c["name"] for c in activity["data_categories"]] == ["Contact details"]
    assert activity["sources"] == [{"kind": "third_party", "kind_label": "Another organisation",
                                    "description": "Event partner's guest list"}]
    (transfer,) = activity["transfers"]
    assert transfer["destination_country"] == "US" and transfer["safeguard"] == "scc"
    assert "contractual clauses" in transfer["safeguard_label"]
    assert transfer["safeguard_document"] == "https://example.com/scc"
    assert activity["automated_decisions"] == {
        "automated_decision_making": None, "profiling": True,  # None: not stated (never a "no")
        "logic": "Opens and clicks rank the topics shown first.",
    }


def test_consents_and_rights_are_in_the_export_the_law_said_as_the_law(person):
    data = exports.export_data(subject=person)
    (consent,) = data["consents"]
    assert consent["purpose"] == "Newsletter by e-mail" and consent["state"] == "given"
    rights = data["rights"]
    # the organisation's own statement, only what it stated
    assert [(r["right"], r["how_to_ask"]) for r in rights["as_stated_by_the_organisation"]] == [
        ("access", "privacy@example.com")
    ]
    # the GDPR's list, apart from it: rectification, erasure, restriction, objection (Art. 15(1)(e)), complaint (f)
    assert [r["right"] for r in rights["under_the_gdpr"]] == [
        "rectification", "erasure", "restriction", "objection", "complaint",
    ]
    assert rights["lead_supervisory_authority"] == "Integritetsskyddsmyndigheten (IMY)"


def test_nothing_is_added_where_the_register_records_nothing():
    subject = DataSubjectFactory()
    EngagementFactory(subject=subject)
    data = exports.export_data(subject=subject)
    exports.check_against_schema(data)
    activity = data["engagements"][0]["activity"]
    assert activity["sources"] == [] and activity["transfers"] == []
    assert data["consents"] == []
    assert data["rights"]["as_stated_by_the_organisation"] == []


def test_the_zip_carries_them_as_csv_too_in_the_requesters_language(person):
    request = RightsRequestFactory(organisation=person.organisation, subject=person)
    with translation.override("sv"):
        _name, content = exports.export_zip(subject=person, request=request)
    archive = zipfile.ZipFile(io.BytesIO(content))
    engagements = archive.read("csv/engagements.csv").decode("utf-8-sig")
    assert "Contact details" in engagements and "Event partner's guest list" in engagements
    consents = archive.read("csv/consents.csv").decode("utf-8-sig")
    assert "Newsletter by e-mail" in consents
    data = archive.read("data.json").decode()
    # the law's labels in Swedish, not English
    assert "Rectification (Art. 16)" not in data
