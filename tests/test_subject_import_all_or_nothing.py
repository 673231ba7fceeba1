"""Bulk import of subjects and engagements from CSV: a preview that writes nothing, row-level errors, and
nothing written at all when any row is bad."""
from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subjects import services
from subjects.models import DataSubject, Engagement, SystemRecord
from tests import factories as f

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:subjects_datasubject_import")


@pytest.fixture
def register():
    organisation = f.OrganisationFactory()
    newsletter = f.ProcessingActivityFactory(organisation=organisation, name="Newsletter", reference="MKT-1")
    events = f.ProcessingActivityFactory(organisation=organisation, name="Events")
    f.DataSubjectCategoryFactory(name="Prospect")
    f.SystemFactory(organisation=organisation, name="HubSpot")
    return organisation, newsletter, events


GOOD = (
    "email;first_name;last_name;company;activity;collected_on;last_contact_on;categories;system;external_id\n"
    "anna@example.com;Anna;Berg;Acme;MKT-1;2024-01-15;2025-02-01;Prospect;HubSpot;1001\n"
    "ANNA@example.com;Anna;Berg;Acme;Events;2024-03-01;;;;\n"
    "bo@example.com;Bo;Ek;;newsletter;2023-05-05;2023-06-06;;;\n"
)


def _counts() -> tuple[int, int, int, int]:
    return (
        DataSubject.objects.count(), Engagement.objects.count(), SystemRecord.objects.count(),
        DataSubject.history.count(),
    )


def _upload(client, organisation, content: str):
    return client.post(IMPORT_URL, {
        "organisation": organisation.pk, "file": SimpleUploadedFile("people.csv", content.encode("utf-8")),
    })


def test_the_changelist_links_to_the_import(dpo_client):
    response = dpo_client.get(reverse("admin:subjects_datasubject_changelist"))
    assert IMPORT_URL in response.content.decode()


def test_preview_writes_nothing(dpo_client, register):
    organisation, _newsletter, _events = register
    response = _upload(dpo_client, organisation, GOOD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing has been written yet" in page and 'name="confirm"' in page
    assert _counts() == (0, 0, 0, 0)


def test_a_good_file_imports_subjects_and_engagements_after_confirmation(dpo_client, register):
    organisation, newsletter, events = register
    preview = _upload(dpo_client, organisation, GOOD)
    payload = re.search(r'name="payload" value="([^"]+)"', preview.content.decode()).group(1)
    response = dpo_client.post(IMPORT_URL, {"payload": payload, "confirm": "1"})
    assert response.status_code == 302
    anna = DataSubject.objects.get(email="anna@example.com")
    assert DataSubject.objects.count() == 2
    assert {e.activity for e in anna.engagements.all()} == {newsletter, events}
    assert anna.engagements.get(activity=newsletter).last_contact_on == date(2025, 2, 1)
    assert [c.name for c in anna.categories.all()] == ["Prospect"]
    assert anna.system_records.get().external_id == "1001"
    bo = DataSubject.objects.get(email="bo@example.com")
    assert bo.engagements.get().activity == newsletter  # activity by name, in any case
    assert bo.history.get().history_user == dpo_client.user


def test_a_bad_row_writes_nothing_and_is_reported_by_row(dpo_client, register):
    organisation, _newsletter, _events = register
    bad = GOOD + "not-an-address;X;Y;;MKT-1;2024-13-01;;;;\nzed@example.com;Z;;;Unknown activity;;;;;\n"
    response = _upload(dpo_client, organisation, bad)
    page = response.content.decode()
    assert "Nothing was written" in page and 'name="confirm"' not in page
    assert "not-an-address is not a valid e-mail address" in page
    assert "2024-13-01 is not a date" in page
    assert "no processing activity with the reference or name Unknown activity" in page
    assert _counts() == (0, 0, 0, 0)


def test_a_row_failing_only_when_written_rolls_back_the_rows_before_it(register):
    organisation, _newsletter, _events = register
    f.SystemRecordFactory(system=organisation.systems.get(), external_id="1001")  # the file's id is taken
    before = _counts()
    report = services.subjects_import(organisation=organisation, content=GOOD, commit=True)
    assert not report.committed
    [bad] = report.error_rows
    assert bad.number == 2 and "already exists" in " ".join(bad.errors)
    assert _counts() == before


def test_an_existing_subject_gains_an_engagement_and_keeps_its_identity(register):
    organisation, newsletter, _events = register
    held = f.DataSubjectFactory(organisation=organisation, email="Bo@Example.com", first_name="Bosse")
    report = services.subjects_import(organisation=organisation, content=GOOD, commit=True)
    assert report.committed and report.new_subjects == 1
    held.refresh_from_db()
    assert held.first_name == "Bosse"
    assert held.engagements.get().activity == newsletter


def test_an_altered_preview_is_refused(dpo_client, register):
    organisation, _newsletter, _events = register
    preview = _upload(dpo_client, organisation, GOOD)
    payload = re.search(r'name="payload" value="([^"]+)"', preview.content.decode()).group(1)
    response = dpo_client.post(IMPORT_URL, {"payload": payload[:-3] + "abc", "confirm": "1"})
    assert response.status_code == 302 and _counts() == (0, 0, 0, 0)


def test_unknown_columns_are_a_file_error(dpo_client, register):
    organisation, _newsletter, _events = register
    response = _upload(dpo_client, organisation, "emial,first_name\nx@example.com,X\n")
    assert "Unknown columns: emial" in response.content.decode()
    assert _counts() == (0, 0, 0, 0)


def test_auditors_cannot_import(auditor_client, register):
    assert auditor_client.get(IMPORT_URL).status_code == 403
