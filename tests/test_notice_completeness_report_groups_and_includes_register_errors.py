"""The notice's completeness report is one a DPO can act on: an item missing for many purposes is one line that
names each of them, the register's errors (what ``manage.py registry_check`` reports for the organisation) are in
it once each with their article, and the lines are the same in the admin's preview, in the refusal to publish and
with the published version (whose older, ungrouped rows still read)."""
from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from consent import services
from consent.completeness import Gap, Place, completeness
from consent.models import NoticeVersion
from privacy_registry.models import DataSource, LegalBasis, Transfer
from tests import factories as f
from tests.factories import country

pytestmark = pytest.mark.django_db

PROVISION = "Whether providing the data is required, and what happens if not"


@pytest.fixture
def org():
    organisation = f.OrganisationFactory(name="Grouped AB", slug="grouped", lead_authority="IMY (Sweden)")
    shop = f.ProcessingActivityFactory(organisation=organisation, name="Shop")
    f.DataSourceFactory(activity=shop, kind=DataSource.Kind.SUBJECT)
    for description in ("Deliver", "Invoice", "Support"):
        f.PurposeFactory(activity=shop, description=description, legal_basis=LegalBasis.CONTRACT)
    return organisation


def _line(gaps: list[Gap], item: str) -> list[Gap]:
    return [gap for gap in gaps if gap.item == item]


def test_three_purposes_missing_the_same_item_are_one_line_naming_the_three(org):
    lines = _line(completeness(org), PROVISION)
    assert len(lines) == 1
    line = lines[0]
    assert line.article == "Art. 13(2)(e)" and line.count == 3
    assert line.where == ("Shop: “Deliver”", "Shop: “Invoice”", "Shop: “Support”")
    assert all("/purpose/" in place.url for place in line.places)  # the purpose's page, to fix it there


def test_the_same_item_across_activities_is_still_one_line(org):
    other = f.ProcessingActivityFactory(organisation=org, name="Newsletter")
    f.DataSourceFactory(activity=other, kind=DataSource.Kind.SUBJECT)
    f.PurposeFactory(activity=other, description="Send news", legal_basis=LegalBasis.CONTRACT)
    (line,) = _line(completeness(org), PROVISION)
    assert line.count == 4 and "Newsletter: “Send news”" in line.where


def test_a_register_error_is_in_the_report_once_with_its_article(org):
    shop = org.activities.get()
    transfer = f.TransferFactory(activity=shop, destination=country("US"), mechanism=Transfer.Mechanism.PROVIDER_TERMS,
                      vendor=f.VendorFactory(name="Cloudy Inc", dpf_certified=False))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("registry_check", "--organisation", "grouped", stdout=out)
    assert "R017" in out.getvalue()  # what registry_check reports as an error…

    gaps = completeness(org)
    (line,) = [gap for gap in gaps if gap.check == "R017"]  # …is in the report, once
    assert line.item == "Third-country transfer with no safeguard stated"
    assert "Art. 46" in line.article and line.count == 1
    assert "Cloudy Inc" in line.where[0] and line.places[0].url

    # A safeguard "not stated" is the notice's item too (Art. 13(1)(f)): said once, on the register's line.
    Transfer.objects.filter(pk=transfer.pk).update(mechanism=Transfer.Mechanism.NOT_STATED)
    gaps = completeness(org)
    assert [gap.count for gap in gaps if gap.check == "R017"] == [1]
    assert not _line(gaps, "The safeguard of a transfer outside the EU/EEA")


def test_a_record_the_register_reports_is_not_said_again_as_a_notice_item(org):
    purpose = org.activities.get().purposes.get(description="Invoice")
    purpose.legal_basis = ""
    purpose.save()
    gaps = completeness(org)
    (register_line,) = [gap for gap in gaps if gap.check == "R002"]
    assert "Invoice" in register_line.where[0] and "Art. 6(1)" in register_line.article
    assert not _line(gaps, "The legal basis of a purpose")


def test_warnings_stay_on_the_dashboard(org):
    org.activities.update(review_date="2020-01-01")  # R010, a warning
    assert not any(gap.check == "R010" for gap in completeness(org))


def test_the_preview_and_the_refused_publication_show_the_grouped_lines(org, dpo_client):
    url = f"/admin/consent/noticeversion/preview/{org.pk}/"
    page = dpo_client.get(url)
    html = page.content.decode()
    assert html.count(PROVISION) == 1 and "3 places" in html
    assert all(f"Shop: “{name}”" in html for name in ("Deliver", "Invoice", "Support"))

    with pytest.raises(ValidationError) as refused:
        services.notice_publish(organisation=org)
    assert f"leaves {len(completeness(org))} items" in refused.value.messages[0]


def test_the_published_version_keeps_the_grouped_lines_and_older_rows_still_read(org, dpo_client):
    version = services.notice_publish(organisation=org, acknowledge_gaps=True)
    (stored,) = [row for row in version.gaps if row["item"] == PROVISION]
    assert stored["where"] == ["Shop: “Deliver”", "Shop: “Invoice”", "Shop: “Support”"]
    assert Gap.from_dict(stored).count == 3

    old_row = {"article": "Art. 13(1)(e)", "item": "Recipients (or that there are none)", "where": "Old shop"}
    assert Gap.from_dict(old_row) == Gap("Art. 13(1)(e)", "Recipients (or that there are none)", (Place("Old shop"),))
    assert Gap.from_dict({"article": "Art. 13(2)(d)", "item": "x", "where": ""}).places == ()
    NoticeVersion.objects.filter(pk=version.pk).update(gaps=[*version.gaps, old_row])

    page = dpo_client.get(f"/admin/consent/noticeversion/{version.pk}/change/").content.decode()
    assert "Old shop" in page and "3 places" in page and PROVISION in page
