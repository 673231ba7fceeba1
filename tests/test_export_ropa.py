"""The Art. 30 record leaves the register as XLSX, CSV, JSON or PDF, from the command line and from the admin,
carrying the same facts in every format, in a fixed number of queries, and changing nothing."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from privacy_registry import exports, selectors
from privacy_registry import models as m
from privacy_registry.demo import loaders as demo_loaders
from privacy_registry.exports.document import build_document
from privacy_registry.exports.templates import ART30, TEMPLATES
from tests import factories as f
from tests.conftest import _staff_client
from tests.export_register import build_register
from tests.factories import country

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NORDLYS_ACTIVITIES = [
    "Customer relationship management", "Nyhetsbrev (newsletter)", "Företagshälsovård", "Emergency contacts",
    "Event check-in (draft)", "Payroll for client companies",
]


@pytest.fixture
def register():
    return build_register()


def _organisation(slug: str) -> m.Organisation:
    return selectors.organisations_for_record().get(slug=slug)


def _export(slug: str = "nordlys", fmt: str = "xlsx", template: str = "art30", **kwargs) -> exports.ExportFile:
    return exports.export_record(organisation=_organisation(slug), fmt=fmt, template=template, language="en",
                                 **kwargs)


def _document(template: str, slug: str = "nordlys"):
    return build_document(organisation=_organisation(slug), template=TEMPLATES[template], language="en")


def _text(value) -> str:
    return "" if value is None else str(value)


def read_xlsx(content: bytes) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    """The cover as label -> value, and each record sheet as a list of header -> cell."""
    workbook = load_workbook(io.BytesIO(content))
    cover_sheet, *record_sheets = workbook.worksheets
    cover = {_text(a): _text(b) for a, b in cover_sheet.iter_rows(min_row=4, max_col=2, values_only=True) if a}
    sheets = {}
    for ws in record_sheets:
        rows = list(ws.iter_rows(values_only=True))
        headers = [_text(h) for h in rows[0]]
        sheets[ws.title] = [dict(zip(headers, map(_text, row), strict=True)) for row in rows[1:]]
    return cover, sheets


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode()), "UTF-8 with a byte-order mark, for spreadsheet programs"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def test_xlsx_carries_every_art30_item_for_every_activity(register):
    exported = _export()
    assert exported.content_type == XLSX
    assert exported.filename.startswith("ropa-nordlys-art30-") and exported.filename.endswith(".xlsx")
    cover, sheets = read_xlsx(exported.content)

    assert cover["Controller (legal name)"] == "Nordlys Analys AB"
    assert cover["Data protection officer (Art. 37)"] == "Åsa Öberg, dpo@nordlys.example, +46 31 765 43 21"
    assert cover["Representative (Art. 27)"] == "Not required: established in the EEA (Art. 27(1))"
    assert list(sheets) == ["Controller record (Art. 30(1))", "Processor record (Art. 30(2))"]

    controller_rows = sheets["Controller record (Art. 30(1))"]
    assert list(controller_rows[0]) == ART30.sheets[0].headers()
    # One row per purpose; an activity without a purpose still has its row, so the gap shows.
    assert [r["Processing activity"] for r in controller_rows] == [
        "Customer relationship management", "Customer relationship management", "Nyhetsbrev (newsletter)",
        "Företagshälsovård", "Företagshälsovård", "Emergency contacts", "Event check-in (draft)",
    ]
    items = [h for h in ART30.sheets[0].headers() if re.match(r"\([a-g]\) ", h)]
    assert {h[:3] for h in items} == {f"({c})" for c in "abcdefg"}
    for row in controller_rows:
        for item in items:
            assert row[item], f"{row['Processing activity']}: {item} is empty"
    purposes = {r["(b) Purpose of the processing"] for r in controller_rows}
    assert {"Manage customer accounts", "Direct marketing to business contacts", "Send the newsletter",
            "Occupational health obligations", "Sick-leave statistics for the authority",
            "Reach next of kin in an emergency"} <= purposes
    bases = {r["Legal basis (Art. 6(1))"].split(" ")[1] for r in controller_rows}
    bases.discard("recorded")  # the draft has no purpose yet: "Not recorded"
    assert bases == {f"6(1)({b})" for b in "abcdef"}

    (payroll,) = sheets["Processor record (Art. 30(2))"]
    for item in [h for h in ART30.sheets[1].headers() if re.match(r"\([a-d]\) ", h)]:
        assert payroll[item], item
    assert payroll["(a) Controllers on whose behalf the processor acts"].startswith("Kund AB")

    everything = json.dumps(sheets, ensure_ascii=False)
    assert "Old loyalty programme" not in everything, "retired activities are not part of the record"
    assert "Website analytics" not in everything, "another organisation's activities stay out"


def test_retired_activities_are_exported_when_asked(register):
    _, sheets = read_xlsx(_export(include_retired=True).content)
    names = {r["Processing activity"] for r in sheets["Controller record (Art. 30(1))"]}
    assert "Old loyalty programme" in names


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_xlsx_of_every_template_holds_every_column_with_the_documents_values(register, template):
    document = _document(template)
    cover, sheets = read_xlsx(_export(template=template).content)
    assert cover == dict(document.cover)
    assert len(sheets) == len(document.sheets) == 2
    for (title, rows), sheet in zip(sheets.items(), document.sheets, strict=True):
        assert title == sheet.title[:31]
        assert [list(r) for r in rows] == [sheet.headers] * len(rows)
        assert [list(r.values()) for r in rows] == sheet.rows


def test_xlsx_header_is_styled_frozen_and_sized(register):
    workbook = load_workbook(io.BytesIO(_export(template="ico").content))
    cover, controller, processor = workbook.worksheets
    assert cover["A1"].value == "Article 30 Record of Processing Activities"
    assert cover["A4"].font.bold
    for ws in (controller, processor):
        assert ws.freeze_panes == "A2"
        assert all(cell.font.bold for cell in ws[1])
        assert ws[1][0].fill.fgColor.rgb.endswith("1F3A5F")
        assert ws[1][0].alignment.wrap_text
        widths = [ws.column_dimensions[c].width for c in ("A", "B", "G")]
        assert all(12 <= w <= 60 for w in widths)
    assert controller.auto_filter.ref


def test_register_text_that_looks_like_a_formula_stays_text(register):
    f.PurposeFactory(activity=register.emergency, description="=HYPERLINK(\"http://evil.example\")\x0b",
                     legal_basis=m.LegalBasis.CONTRACT)
    _, sheets = read_xlsx(_export().content)
    purposes = [r["(b) Purpose of the processing"] for r in sheets["Controller record (Art. 30(1))"]]
    assert '=HYPERLINK("http://evil.example")' in purposes
    workbook = load_workbook(io.BytesIO(_export().content))
    assert all(c.data_type != "f" for row in workbook.worksheets[1].iter_rows() for c in row)


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_csv_and_json_carry_the_same_rows_as_the_xlsx(register, template):
    cover, sheets = read_xlsx(_export(template=template).content)
    document = _document(template)
    titles = {sheet.title[:31]: sheet for sheet in document.sheets}

    csv_rows = read_csv(_export(fmt="csv", template=template).content)
    record_column = next(iter(csv_rows[0]))
    for title, rows in sheets.items():
        headers = titles[title].headers
        from_csv = [tuple(r[h] for h in headers) for r in csv_rows if r[record_column] == titles[title].title]
        assert from_csv == [tuple(r[h] for h in headers) for r in rows], title
    assert len(csv_rows) == sum(len(rows) for rows in sheets.values())

    data = json.loads(_export(fmt="json", template=template).content)
    assert data["template"]["key"] == template
    assert {c["field"]: c["value"] for c in data["cover"]} == cover
    assert [s["title"][:31] for s in data["sheets"]] == list(sheets)
    for sheet, rows in zip(data["sheets"], sheets.values(), strict=True):
        assert sheet["rows"] == rows
    structured = data["record"]
    assert structured["organisation"]["name"] == "Nordlys Analys AB"
    assert {a["name"] for a in structured["activities"]} == set(NORDLYS_ACTIVITIES)
    crm = next(a for a in structured["activities"] if a["reference"] == "PA-01")
    assert [p["legal_basis"] for p in crm["purposes"]] == ["b", "f"]
    assert {t["mechanism"] for t in crm["transfers"]} == {"dpf", "scc"}


def test_pdf_reads_as_the_record_with_controller_dpo_and_every_activity(register):
    exported = _export(fmt="pdf", template="ico")
    assert exported.content.startswith(b"%PDF") and exported.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(exported.content))
    assert len(reader.pages) >= 3, "title page, contents, then the activities"
    title_page = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    for fact in ("Article 30 Record of Processing Activities", "Nordlys Analys AB", "Åsa Öberg", "Göteborg",
                 "Not required: established in the EEA"):
        assert fact in title_page, fact
    text = pdf_text(exported.content)
    for name in NORDLYS_ACTIVITIES:
        assert name in text, name
    for fact in ("Partenaire Événements SAS", "Noël Bérard", "Försäkringskassan", "Arbetsmiljölagen (1977:1160)",
                 "Rights available to individuals", "Objection (Art. 21)"):
        assert fact in text, fact
    assert "Old loyalty programme" not in text

    representative = pdf_text(_export(slug="acme-us", fmt="pdf").content)
    for fact in ("Acme Analytics Inc.", "Représentant Européen SARL", "Hélène Lefèvre", "Zoë Dupont",
                 "Website analytics"):
        assert fact in representative, fact

    french = pdf_text(_export(fmt="pdf", template="cnil").content)
    for fact in ("Registre des activités de traitement", "Délégué à la protection des données",
                 "Des données sensibles sont-elles traitées ?", "Företagshälsovård"):
        assert fact in french, fact


def test_pdf_draws_characters_its_font_lacks_as_readable_stand_ins(register):
    register.crm.description = "Leads → CRM ✓ Łódź, Ελλάδα"
    register.crm.save()
    text = pdf_text(_export(fmt="pdf").content)
    assert "Leads -> CRM v Łódz, ??????" in text  # ź: base letter; Greek: not in the font


@pytest.mark.parametrize("fmt", sorted(exports.FORMATS))
def test_command_writes_the_file_at_output(register, tmp_path, fmt):
    output = tmp_path / f"record.{fmt}"
    out = io.StringIO()
    call_command("export_ropa", "--organisation", "nordlys", "--format", fmt, "--template", "ico",
                 "--output", str(output), "--language", "en", stdout=out)
    content = output.read_bytes()
    assert str(output) in out.getvalue()
    if fmt == "xlsx":
        cover, sheets = read_xlsx(content)
        assert cover["Controller (legal name)"] == "Nordlys Analys AB" and len(sheets) == 2
    elif fmt == "csv":
        assert {r["Business function"] for r in read_csv(content)} >= {"Sales", "Marketing", "HR"}
    elif fmt == "json":
        assert json.loads(content)["template"]["key"] == "ico"
    else:
        assert "Företagshälsovård" in pdf_text(content)


def test_command_rejects_an_unknown_organisation_with_a_clear_error(register, tmp_path):
    output = tmp_path / "record.xlsx"
    with pytest.raises(CommandError, match=r"No organisation with the short name 'nope'\. Known: .*nordlys"):
        call_command("export_ropa", "--organisation", "nope", "--format", "xlsx", "--output", str(output))
    assert not output.exists()


def test_command_exits_non_zero_on_unknown_organisation_or_format(register, tmp_path, capsys):
    output = str(tmp_path / "record.out")

    def manage(*argv: str) -> None:
        # As `manage.py` runs it, but keeping the test's database connection open (run_from_argv closes it).
        with mock.patch.object(connections, "close_all"):
            ManagementUtility(["manage.py", "export_ropa", *argv]).execute()

    with pytest.raises(SystemExit) as exit_:
        manage("--organisation", "nope", "--format", "csv", "--output", output)
    assert exit_.value.code == 1
    assert "No organisation with the short name 'nope'" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exit_:
        manage("--organisation", "nordlys", "--format", "docx", "--output", output)
    assert exit_.value.code == 2
    assert "invalid choice: 'docx'" in capsys.readouterr().err

    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_ropa", "--organisation", "nordlys", "--format", "csv",
                     "--output", str(tmp_path / "missing" / "record.csv"))


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_auditor_exports_from_the_changelist_and_nothing_changes(register, auditor_client):
    changelist = reverse("admin:privacy_registry_organisation_changelist")
    page = auditor_client.get(changelist)
    assert page.status_code == 200
    assert b'value="export_ropa"' in page.content and b'name="export_format"' in page.content
    assert b'value="delete_selected"' not in page.content, "an auditor deletes nothing"

    before = _row_counts()
    response = auditor_client.post(changelist, {
        "action": "export_ropa", "_selected_action": [register.nordlys.pk], "export_format": "xlsx",
        "export_template": "ico", "index": 0,
    })
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert re.match(r'attachment; filename="ropa-nordlys-ico-\d{4}-\d{2}-\d{2}\.xlsx"',
                    response["Content-Disposition"])
    cover, sheets = read_xlsx(response.content)
    assert cover["Controller (legal name)"] == "Nordlys Analys AB"
    assert "Rights available to individuals" in sheets["Controller (Art. 30(1))"][0]
    assert _row_counts() == before, "exporting writes nothing: no row, no history, no log entry"


def test_export_of_several_organisations_is_a_zip_with_a_file_each(register, auditor_client):
    response = auditor_client.post(reverse("admin:privacy_registry_organisation_changelist"), {
        "action": "export_ropa", "_selected_action": [register.nordlys.pk, register.acme.pk],
        "export_format": "pdf", "export_template": "art30", "index": 0,
    })
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = sorted(archive.namelist())
        assert [n.split("-art30-")[0] for n in names] == ["ropa-acme-us", "ropa-nordlys"]
        assert all(archive.read(n).startswith(b"%PDF") for n in names)


def test_auditor_exports_from_the_organisation_page(register, auditor_client):
    change = reverse("admin:privacy_registry_organisation_change", args=[register.nordlys.pk])
    export_page = reverse("admin:privacy_registry_organisation_export_ropa", args=[register.nordlys.pk])
    assert export_page.encode() in auditor_client.get(change).content

    form = auditor_client.get(export_page)
    assert form.status_code == 200 and b'name="template"' in form.content

    before = _row_counts()
    response = auditor_client.get(export_page, {"format": "csv", "template": "cnil"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.content)
    assert {r["Nom de l'activité"] for r in rows if r["Nom de l'activité"]} >= {"Företagshälsovård"}
    assert _row_counts() == before

    invalid = auditor_client.get(export_page, {"format": "docx", "template": "cnil"})
    assert invalid.status_code == 200 and b"errorlist" in invalid.content


def test_export_needs_the_view_permission(register, client, django_user_model):
    staff_without_role = _staff_client(client, django_user_model, group=None)
    export_page = reverse("admin:privacy_registry_organisation_export_ropa", args=[register.nordlys.pk])
    response = staff_without_role.get(export_page, {"format": "csv", "template": "art30"})
    assert response.status_code == 403
    response = staff_without_role.post(reverse("admin:privacy_registry_organisation_changelist"), {
        "action": "export_ropa", "_selected_action": [register.nordlys.pk], "export_format": "csv", "index": 0,
    })
    assert response.status_code == 403


def _populated_organisation(slug: str, activities: int) -> m.Organisation:
    organisation = f.OrganisationFactory(slug=slug)
    f.PrivacyContactFactory(organisation=organisation)
    partner = f.OrganisationFactory()
    f.PrivacyContactFactory(organisation=partner)
    vendor = f.VendorFactory()
    sub = f.SubProcessorFactory(engaged_by=vendor)
    measure = f.SecurityMeasureFactory(organisation=organisation)
    for n in range(activities):
        activity = f.ProcessingActivityFactory(
            organisation=organisation, subject_categories=[f.DataSubjectCategoryFactory()],
            data_categories=[f.PersonalDataCategoryFactory(), f.PersonalDataCategoryFactory(is_special=True)],
        )
        activity.joint_controllers.set([partner])
        activity.systems.set([f.SystemFactory(organisation=organisation, vendor=sub,
                                              hosting_countries=[country("US"), country("SE")])])
        activity.security_measures.set([measure])
        for basis in ("a", "f"):
            f.PurposeFactory(activity=activity, legal_basis=basis)
        f.DataSourceFactory(activity=activity)
        f.RecipientFactory(activity=activity, vendor=vendor)
        f.TransferFactory(activity=activity, vendor=vendor)
        f.IncidentFactory(organisation=organisation).activities.set([activity])
        if n % 2:
            activity.record_type = m.ProcessingActivity.RecordType.PROCESSOR
            activity.save()
    return organisation


def _queries_to_export(slug: str, fmt: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        exports.export_record(organisation=_organisation(slug), fmt=fmt, template="ico", language="en")
    return len(queries)


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_export_runs_a_fixed_number_of_queries_whatever_the_number_of_activities(fmt):
    _populated_organisation("one", 1)
    _populated_organisation("twenty", 20)
    one, twenty = _queries_to_export("one", fmt), _queries_to_export("twenty", fmt)
    assert one == twenty, f"{one} queries for 1 activity, {twenty} for 20"
    # Issue 16 added fixed reads: further controllers (and their contacts), recipients' data categories, and the
    # retention app's two annotators (rules in words, enforcement).
    assert twenty <= 24


def test_every_demo_organisation_exports_in_every_format_and_template():
    if not demo_loaders():
        pytest.skip("no demo loader registered")
    call_command("load_demo", stdout=io.StringIO())
    organisations = list(selectors.organisations_for_record().filter(activities__isnull=False).distinct())
    assert organisations, "the demo has organisations with activities"
    for organisation in organisations:
        names = set(organisation.activities.exclude(status="retired").values_list("name", flat=True))
        for template in TEMPLATES:
            for fmt in exports.FORMATS:
                exported = exports.export_record(organisation=organisation, fmt=fmt, template=template)
                assert exported.content, (organisation.slug, template, fmt)
                if fmt == "json":
                    data = json.loads(exported.content)
                    assert {a["name"] for a in data["record"]["activities"]} == names
                    assert sum(len(s["rows"]) for s in data["sheets"]) >= len(names)
            text = pdf_text(exports.export_record(organisation=organisation, fmt="pdf", template=template).content)
            assert organisation.name.split()[0] in text


def test_pdf_of_a_large_register_splits_the_activity_list_across_pages():
    """200 activities with long names: listed one per table row, the list runs over several pages instead of
    making one cell taller than a page (which ReportLab cannot lay out)."""
    organisation = f.OrganisationFactory(name="Large Register AB", slug="large")
    m.ProcessingActivity.objects.bulk_create(
        m.ProcessingActivity(
            organisation=organisation, reference=f"PA-{i:03d}", status=m.ProcessingActivity.Status.ACTIVE,
            name=f"Activity {i:03d} handling customer correspondence across every regional subsidiary office",
            description="Bulk activity.",
        )
        for i in range(200)
    )
    exported = exports.export_record(organisation=_organisation("large"), fmt="pdf", template="art30", language="en")
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(exported.content)).pages]
    first, last = "PA-000 – Activity 000 handling customer", "PA-199 – Activity 199 handling customer"
    assert "Processing activities in this record" in pages[1] and first in pages[1]
    listed_last = next(n for n, page in enumerate(pages) if last in page)
    section_first = max(n for n, page in enumerate(pages) if first in page)
    # The list runs over several pages and ends with the last activity, before the activities' own sections.
    assert 1 < listed_last < section_first
    assert sum(last in page for page in pages) == 2, "listed once, then its own section"


def test_pdf_splits_a_value_taller_than_a_page():
    organisation = f.OrganisationFactory(name="Verbose AB", slug="verbose")
    description = " ".join(f"Sentence {n} of a description pasted from a very long policy." for n in range(800))
    f.ProcessingActivityFactory(organisation=organisation, name="Verbose activity", description=description)
    exported = exports.export_record(organisation=_organisation("verbose"), fmt="pdf", template="art30", language="en")
    text = pdf_text(exported.content)
    assert "Sentence 0 of a description" in text and "Sentence 799 of a description" in text
