"""The register reports its own gaps: each check finds the gap built here, and forgets it once the
record is fixed; another app's check plugs in without the register importing it; the checks run a
fixed number of queries; the dashboard, each activity's page and `registry_check` show the findings."""
from __future__ import annotations

import ast
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import tests
from privacy_registry import checks
from privacy_registry import models as m
from privacy_registry.checks import Severity, run_checks
from tests import factories as f

pytestmark = pytest.mark.django_db

DRAFT, RETIRED = m.ProcessingActivity.Status.DRAFT, m.ProcessingActivity.Status.RETIRED


@pytest.fixture(autouse=True)
def only_the_registers_checks():
    """The register's own checks (R001…), alone. Apps above plug in theirs (retention's, consent's) and test them
    in their own modules; here they would report on the bare activities built below and spend the register's
    query budget. Plugging in as such is tested with X900."""
    plugged = [check for check in checks.get_checks() if not re.fullmatch(r"R\d{3}", check.id)]
    for check in plugged:
        checks.unregister(check.id)
    yield
    for check in plugged:
        checks.register(check.id, severity=check.severity, title=check.title)(check.function)


def sound_activity(**kwargs) -> m.ProcessingActivity:
    """An activity with no gap of its own: a purpose with a basis and a stated retention period."""
    kwargs.setdefault("retention_statement", "Two years after the customer relationship ends.")
    activity = f.ProcessingActivityFactory(**kwargs)
    f.PurposeFactory(activity=activity, legal_basis=m.LegalBasis.CONTRACT)
    return activity


def found(check_id: str, record, *, organisation=None, activity=None) -> list[checks.Finding]:
    return [
        finding for finding in run_checks(organisation=organisation, activity=activity)
        if finding.check_id == check_id
        and finding.model_label == record._meta.label_lower
        and finding.object_pk == record.pk
    ]


def refresh_and_save(record, **changes) -> None:
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()


# --- one test per rule ------------------------------------------------------------------------------


def test_active_activity_without_purpose_is_an_error():
    activity = f.ProcessingActivityFactory(retention_statement="One year.")
    [finding] = found("R001", activity)
    assert finding.severity == Severity.ERROR
    assert finding.organisation_id == activity.organisation_id
    assert finding.admin_url == reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk])

    f.PurposeFactory(activity=activity)
    assert found("R001", activity) == []


def test_draft_is_checked_on_its_own_page_only_and_retired_is_not_checked():
    draft = f.ProcessingActivityFactory(status=DRAFT)
    retired = f.ProcessingActivityFactory(status=RETIRED)
    assert found("R001", draft) == []
    assert found("R001", draft, activity=draft)
    assert found("R001", retired) == [] and found("R001", retired, activity=retired) == []


def test_processor_record_needs_no_purpose_or_retention_statement():
    record = f.ProcessingActivityFactory(record_type=m.ProcessingActivity.RecordType.PROCESSOR)
    assert found("R001", record) == [] and found("R011", record) == []


def test_purpose_without_legal_basis_is_an_error():
    purpose = f.PurposeFactory(legal_basis="", activity=sound_activity())
    [finding] = found("R002", purpose)
    assert finding.severity == Severity.ERROR
    assert finding.activity_id == purpose.activity_id
    assert purpose.description in finding.message

    refresh_and_save(purpose, legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS, lia_link="https://example.org/lia")
    assert found("R002", purpose) == []


def test_legitimate_interests_without_assessment_is_a_warning():
    purpose = f.PurposeFactory(legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS, activity=sound_activity())
    [finding] = found("R003", purpose)
    assert finding.severity == Severity.WARNING

    refresh_and_save(purpose, lia_completed_on=timezone.localdate())
    assert found("R003", purpose) == []
    refresh_and_save(purpose, lia_completed_on=None, lia_link="https://example.org/lia")
    assert found("R003", purpose) == []


def test_special_category_data_without_article_9_condition_is_an_error():
    health = f.PersonalDataCategoryFactory(name="Health", is_special=True, special_category="health")
    activity = sound_activity(data_categories=[health])
    purpose = activity.purposes.get()
    [finding] = found("R004", purpose)
    assert finding.severity == Severity.ERROR

    refresh_and_save(purpose, article9_condition=m.Article9Condition.EXPLICIT_CONSENT)
    assert found("R004", purpose) == []


def test_ordinary_data_needs_no_article_9_condition():
    activity = sound_activity(data_categories=[f.PersonalDataCategoryFactory(name="Contact details")])
    assert found("R004", activity.purposes.get()) == []


def test_criminal_data_without_article_10_basis_is_an_error():
    convictions = f.PersonalDataCategoryFactory(name="Criminal record extract", is_criminal=True)
    purpose = sound_activity(data_categories=[convictions]).purposes.get()
    [finding] = found("R005", purpose)
    assert finding.severity == Severity.ERROR

    refresh_and_save(purpose, article10_basis="Swedish Act (2013:1164) on criminal record checks for schools")
    assert found("R005", purpose) == []


def test_transfer_to_country_without_adequacy_needs_a_safeguard():
    transfer = f.TransferFactory(activity=sound_activity(), destination=f.country("IN"), mechanism="")
    [finding] = found("R006", transfer)
    assert finding.severity == Severity.ERROR
    assert "India" in finding.message

    refresh_and_save(transfer, mechanism=m.Transfer.Mechanism.SCC)
    assert found("R006", transfer) == []


def test_transfer_to_us_needs_a_certified_vendor_or_a_safeguard():
    vendor = f.VendorFactory(dpf_certified=False)
    transfer = f.TransferFactory(activity=sound_activity(), destination=f.country("US"), vendor=vendor, mechanism="")
    assert found("R006", transfer)

    refresh_and_save(vendor, dpf_certified=True)
    assert found("R006", transfer) == []


def test_transfer_to_an_international_organisation_without_vendor_is_checked_too():
    transfer = f.TransferFactory(
        activity=sound_activity(), destination=f.country("US"), vendor=None,
        international_organisation="World Bank", mechanism="",
    )
    [finding] = found("R006", transfer)
    assert "World Bank" in finding.message

    refresh_and_save(transfer, mechanism=m.Transfer.Mechanism.DEROGATION, derogation=m.Transfer.Derogation.CONTRACT)
    assert found("R006", transfer) == []


def test_transfer_to_eea_or_full_adequacy_country_needs_no_safeguard():
    activity = sound_activity()
    to_germany = f.TransferFactory(activity=activity, destination=f.country("DE"), mechanism="")
    to_uk = f.TransferFactory(activity=activity, destination=f.country("GB"), mechanism="")
    assert found("R006", to_germany) == [] and found("R006", to_uk) == []


def test_transfer_relying_on_adequacy_that_does_not_cover_it_is_an_error():
    vendor = f.VendorFactory(dpf_certified=False)
    dpf = f.TransferFactory(
        activity=sound_activity(), destination=f.country("US"), vendor=vendor, mechanism=m.Transfer.Mechanism.DPF
    )
    no_decision = f.TransferFactory(
        activity=sound_activity(), destination=f.country("IN"), mechanism=m.Transfer.Mechanism.ADEQUACY
    )
    [finding] = found("R007", dpf)
    assert finding.severity == Severity.ERROR and vendor.name in finding.message
    assert found("R007", no_decision)

    refresh_and_save(vendor, dpf_certified=True)
    refresh_and_save(no_decision, mechanism=m.Transfer.Mechanism.SCC)
    assert found("R007", dpf) == [] and found("R007", no_decision) == []


def test_transfer_to_a_destination_not_named_needs_a_safeguard():
    transfer = f.TransferFactory(
        activity=sound_activity(), destination=None, destination_description="Hosting providers outside the EU",
        vendor=None, mechanism="",
    )
    [finding] = found("R006", transfer)
    assert finding.severity == Severity.ERROR
    assert "a destination not named (“Hosting providers outside the EU”)" in finding.message
    assert "()" not in finding.message  # no recipient named, no empty brackets

    refresh_and_save(transfer, mechanism=m.Transfer.Mechanism.SCC)
    assert found("R006", transfer) == []


def test_adequacy_claimed_for_a_destination_not_named_is_an_error():
    vendor = f.VendorFactory(dpf_certified=True)
    adequacy = f.TransferFactory(activity=sound_activity(), destination=None, destination_description="Abroad",
                                 vendor=None, mechanism=m.Transfer.Mechanism.ADEQUACY)
    dpf = f.TransferFactory(activity=sound_activity(), destination=None, destination_description="Abroad",
                            vendor=vendor, mechanism=m.Transfer.Mechanism.DPF)
    [finding] = found("R007", adequacy)
    assert finding.severity == Severity.ERROR and "not named" in finding.message
    assert found("R007", dpf), "a certified recipient does not make an unnamed country the United States"
    assert found("R006", adequacy) == []

    refresh_and_save(adequacy, destination=f.country("JP"))
    refresh_and_save(dpf, destination=f.country("US"))
    assert found("R007", adequacy) == [] and found("R007", dpf) == []


def test_transfer_destination_not_named_is_a_warning():
    transfer = f.TransferFactory(
        activity=sound_activity(), destination=None, destination_description="Providers in several countries",
        mechanism=m.Transfer.Mechanism.SCC,
    )
    [finding] = found("R014", transfer)
    assert finding.severity == Severity.WARNING
    assert "Providers in several countries" in finding.message and "Art. 30(1)(e)" in finding.message
    assert found("R014", transfer, activity=transfer.activity)

    refresh_and_save(transfer, destination=f.country("IN"))
    assert found("R014", transfer) == []


def test_transfer_with_no_named_destination_does_not_cover_a_hosting_country():
    system = f.SystemFactory(hosting_countries=[f.country("US")])
    activity = sound_activity(organisation=system.organisation)
    activity.systems.add(system)
    transfer = f.TransferFactory(activity=activity, destination=None, destination_description="Outside the EU",
                                 vendor=system.vendor)
    assert found("R013", activity)

    refresh_and_save(transfer, destination=f.country("US"))
    assert found("R013", activity) == [] and found("R014", transfer) == []


def test_processor_without_dpa_is_an_error_for_the_organisation_using_it():
    vendor = f.VendorFactory(dpa_signed_on=None)
    activity = sound_activity()
    f.RecipientFactory(activity=activity, vendor=vendor)
    [finding] = found("R008", vendor, organisation=activity.organisation)
    assert finding.severity == Severity.ERROR
    assert finding.organisation_id == activity.organisation_id
    assert finding.admin_url == reverse("admin:privacy_registry_vendor_change", args=[vendor.pk])
    assert found("R008", vendor, activity=activity)

    refresh_and_save(vendor, dpa_url="https://example.org/dpa")
    assert found("R008", vendor) == []


def test_processor_whose_dpa_is_stated_but_not_on_file_is_a_warning():
    vendor = f.VendorFactory(dpa_signed_on=None, dpa_in_place=True)
    f.RecipientFactory(activity=sound_activity(), vendor=vendor)
    [finding] = found("R008", vendor)
    assert finding.severity == Severity.WARNING
    assert "stated to be in place" in finding.message and "no copy or date" in finding.message

    refresh_and_save(vendor, dpa_in_place=False)  # nothing stated and nothing on file: the error again
    [finding] = found("R008", vendor)
    assert finding.severity == Severity.ERROR

    refresh_and_save(vendor, dpa_in_place=True, dpa_signed_on=timezone.localdate())
    assert found("R008", vendor) == []


def test_a_check_cannot_report_above_its_own_severity():
    def loud(scope: checks.Scope):
        for activity in scope.activities():
            yield scope.finding(activity, "loud", organisation_id=activity.organisation_id, severity=Severity.ERROR)

    checks.register("X901", severity=Severity.WARNING, title="Too loud")(loud)
    try:
        sound_activity()
        with pytest.raises(ImproperlyConfigured):
            run_checks()
    finally:
        checks.unregister("X901")


def test_processor_without_dpa_is_not_reported_to_an_organisation_that_does_not_use_it():
    vendor = f.VendorFactory(dpa_signed_on=None)
    f.SystemFactory(vendor=vendor)
    elsewhere = f.OrganisationFactory()
    assert found("R008", vendor, organisation=elsewhere) == []
    [unscoped] = found("R008", vendor)
    assert unscoped.organisation_id != elsewhere.pk


def test_unused_processor_without_dpa_is_reported_outside_any_organisation():
    vendor = f.VendorFactory(dpa_signed_on=None)
    [finding] = found("R008", vendor)
    assert finding.organisation_id is None


def test_sub_processor_without_dpa_is_reported_to_whoever_uses_its_chain():
    processor = f.VendorFactory()
    sub = f.SubProcessorFactory(engaged_by=processor, dpa_signed_on=None)
    subsub = f.SubProcessorFactory(engaged_by=sub, dpa_signed_on=None)
    system = f.SystemFactory(vendor=processor)
    assert found("R008", processor) == []
    assert found("R008", sub, organisation=system.organisation)
    assert found("R008", subsub, organisation=system.organisation)

    refresh_and_save(sub, dpa_document="dpa/sub.pdf")
    assert found("R008", sub) == [] and found("R008", subsub)


def test_independent_controller_needs_no_dpa():
    vendor = f.VendorFactory(dpa_signed_on=None, role=m.Vendor.Role.INDEPENDENT_CONTROLLER)
    f.RecipientFactory(activity=sound_activity(), vendor=vendor)
    assert found("R008", vendor) == []


def test_minimum_age_without_age_check_is_a_warning():
    children = f.DataSubjectCategoryFactory(name="Pupils", minimum_age=13)
    activity = sound_activity(subject_categories=[children])
    [finding] = found("R009", children, organisation=activity.organisation)
    assert finding.severity == Severity.WARNING
    assert finding.organisation_id == activity.organisation_id

    refresh_and_save(children, age_check="Date of birth checked against the school register")
    assert found("R009", children) == []


def test_review_date_passed_is_a_warning():
    activity = sound_activity(review_date=timezone.localdate() - timedelta(days=1))
    [finding] = found("R010", activity)
    assert finding.severity == Severity.WARNING

    refresh_and_save(activity, review_date=timezone.localdate() + timedelta(days=365))
    assert found("R010", activity) == []


def test_active_activity_without_retention_statement_is_a_warning():
    activity = sound_activity(retention_statement="")
    [finding] = found("R011", activity)
    assert finding.severity == Severity.WARNING

    refresh_and_save(activity, retention_statement="Deleted 24 months after the last contact.")
    assert found("R011", activity) == []


def test_dpia_required_but_not_completed_is_a_warning():
    activity = sound_activity(
        dpia_required=m.ProcessingActivity.DpiaRequired.YES, dpia_status=m.ProcessingActivity.DpiaStatus.IN_PROGRESS
    )
    [finding] = found("R012", activity)
    assert finding.severity == Severity.WARNING

    refresh_and_save(
        activity, dpia_status=m.ProcessingActivity.DpiaStatus.COMPLETED, dpia_completed_on=timezone.localdate()
    )
    assert found("R012", activity) == []


def test_system_hosted_in_third_country_without_transfer_is_a_warning():
    system = f.SystemFactory(hosting_countries=[f.country("DE"), f.country("US")])
    activity = sound_activity(organisation=system.organisation)
    activity.systems.add(system)
    [finding] = found("R013", activity)
    assert finding.severity == Severity.WARNING
    assert "United States" in finding.message and system.name in finding.message

    f.TransferFactory(activity=activity, destination=f.country("US"), vendor=system.vendor)
    assert found("R013", activity) == []


def test_recipient_in_third_country_without_transfer_is_a_warning():
    recipient = f.RecipientFactory(activity=sound_activity(), country=f.country("IN"), description="Support desk")
    [finding] = found("R013", recipient.activity)
    assert "India" in finding.message

    f.TransferFactory(activity=recipient.activity, destination=f.country("IN"), vendor=recipient.vendor)
    assert found("R013", recipient.activity) == []


# --- the registry: another app plugs its check in ----------------------------------------------------


def unnamed_business_function(scope: checks.Scope):
    """What a higher app would register: here, active activities with no business function."""
    for activity in scope.activities().filter(business_function="").only("pk", "name", "organisation_id"):
        yield scope.finding(
            activity, f"“{activity.name}” names no business function.",
            organisation_id=activity.organisation_id, activity_id=activity.pk,
        )


class PluggedChecksConfig(AppConfig):
    """Stands for retention's or consent's AppConfig: it registers its check from ready()."""

    name = "tests"

    def ready(self) -> None:
        checks.register("X900", severity=Severity.ERROR, title="No business function")(unnamed_business_function)


@pytest.fixture
def plugged_check():
    config = PluggedChecksConfig("tests", tests)
    config.ready()
    config.ready()  # ready() may run twice; registering the same function again is harmless
    yield
    checks.unregister("X900")


def test_plugged_in_check_runs_with_the_registers_own(plugged_check):
    activity = sound_activity(business_function="", name="Webinar leads")
    assert found("X900", activity)
    assert found("X900", activity, organisation=activity.organisation)
    assert found("X900", activity, activity=activity)

    refresh_and_save(activity, business_function="Marketing")
    assert found("X900", activity) == []


def test_plugged_in_check_shows_on_dashboard_activity_page_and_command(plugged_check, dpo_client):
    activity = sound_activity(business_function="", name="Webinar leads")
    change_url = reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk])

    dashboard = dpo_client.get(reverse("admin:index")).content.decode()
    assert "“Webinar leads” names no business function." in dashboard
    assert f'href="{change_url}"' in dashboard
    page = dpo_client.get(change_url).content.decode()
    assert "“Webinar leads” names no business function." in page

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("registry_check", organisation=activity.organisation.slug, stdout=out)
    assert "X900  “Webinar leads” names no business function." in out.getvalue()


def test_unplugged_check_is_gone():
    config = PluggedChecksConfig("tests", tests)
    config.ready()
    checks.unregister("X900")
    activity = sound_activity(business_function="")
    assert found("X900", activity) == []
    assert "X900" not in {check.id for check in checks.get_checks()}


def test_a_taken_check_id_cannot_be_registered_by_another_function():
    with pytest.raises(ImproperlyConfigured):
        checks.register("R001", severity=Severity.INFO, title="impostor")(unnamed_business_function)


def test_the_registers_own_modules_import_no_app_above_it():
    higher = {"subjects", "retention", "consent", "rights"}
    root = Path(checks.__file__).parent
    modules = ("models.py", "services.py", "selectors.py", "checks.py", "admin.py")
    for name in (*modules, "management/commands/registry_check.py"):
        tree = ast.parse((root / name).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not {i.split(".")[0] for i in imported} & higher, name


# --- fixed number of queries ------------------------------------------------------------------------


def gappy_activity(organisation: m.Organisation, special: m.PersonalDataCategory, children) -> None:
    """Every kind of gap once: activity-, purpose-, transfer-, vendor- and category-level."""
    activity = f.ProcessingActivityFactory(
        organisation=organisation, data_categories=[special], subject_categories=[children],
        review_date=timezone.localdate() - timedelta(days=3), dpia_required=m.ProcessingActivity.DpiaRequired.YES,
        dpia_status=m.ProcessingActivity.DpiaStatus.NOT_STARTED,
    )
    f.PurposeFactory(activity=activity, legal_basis="")
    f.PurposeFactory(activity=activity, legal_basis="", legal_basis_not_stated=True)
    f.PurposeFactory(activity=activity, legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS)
    unstated = f.VendorFactory(role=m.Vendor.Role.NOT_STATED, dpa_signed_on=None)
    f.RecipientFactory(activity=activity, vendor=unstated, kind=m.Recipient.Kind.SERVICE_PROVIDER)
    f.TransferFactory(activity=activity, destination=f.country("IN"), mechanism=m.Transfer.Mechanism.NOT_STATED)
    f.TransferFactory(activity=activity, destination=f.country("IE"), mechanism=m.Transfer.Mechanism.ADEQUACY)
    processor = f.VendorFactory(dpa_signed_on=None)
    f.SubProcessorFactory(engaged_by=processor, dpa_signed_on=None, dpa_in_place=True)
    f.RecipientFactory(activity=activity, vendor=processor)
    f.TransferFactory(activity=activity, destination=f.country("IN"), mechanism="")
    f.TransferFactory(activity=activity, destination=f.country("US"), mechanism=m.Transfer.Mechanism.DPF)
    f.TransferFactory(activity=activity, destination=None, destination_description="Abroad", mechanism="")
    activity.systems.add(f.SystemFactory(organisation=organisation, hosting_countries=[f.country("CN")]))
    f.ProcessingActivityFactory(organisation=organisation)  # no purpose at all


def test_run_checks_runs_the_same_number_of_queries_with_2_and_30_activities():
    organisation = f.OrganisationFactory()
    special = f.PersonalDataCategoryFactory(name="Biometrics", is_special=True, is_criminal=True)
    children = f.DataSubjectCategoryFactory(name="Children", minimum_age=13)
    gappy_activity(organisation, special, children)

    with CaptureQueriesContext(connection) as one:
        few = run_checks()
    for _ in range(14):
        gappy_activity(f.OrganisationFactory(), special, children)
    assert m.ProcessingActivity.objects.count() == 30
    with CaptureQueriesContext(connection) as many:
        more = run_checks()

    assert len(many) == len(one) <= 10
    assert {finding.check_id for finding in few} == {f"R{n:03d}" for n in range(1, 19)}
    assert {x.severity for x in few if x.check_id == "R008"} == {Severity.ERROR, Severity.WARNING}
    assert len(more) > 10 * len(few)


def test_run_checks_on_an_empty_register_runs_the_same_queries_as_on_a_full_one():
    with CaptureQueriesContext(connection) as empty:
        assert run_checks() == []
    gappy_activity(f.OrganisationFactory(), f.PersonalDataCategoryFactory(is_special=True),
                   f.DataSubjectCategoryFactory(minimum_age=16))
    with CaptureQueriesContext(connection) as full:
        assert run_checks()
    assert len(full) == len(empty)


def test_activity_page_runs_the_same_number_of_queries_with_2_and_30_activities(dpo_client):
    special = f.PersonalDataCategoryFactory(name="Biometrics", is_special=True)
    children = f.DataSubjectCategoryFactory(name="Children", minimum_age=13)
    gappy_activity(f.OrganisationFactory(), special, children)
    activity = m.ProcessingActivity.objects.filter(purposes__isnull=False).distinct().get()
    url = reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk])
    dpo_client.get(url)  # warm caches (content types, permissions) so both counts compare like with like

    with CaptureQueriesContext(connection) as one:
        dpo_client.get(url)
    for _ in range(14):
        gappy_activity(f.OrganisationFactory(), special, children)
    with CaptureQueriesContext(connection) as many:
        page = dpo_client.get(url)

    assert len(many) == len(one)
    assert [x.check_id for x in page.context["findings"]] == [x.check_id for x in run_checks(activity=activity)]


# --- where findings are shown -----------------------------------------------------------------------


def test_dashboard_lists_findings_per_organisation_with_links(dpo_client):
    purpose = f.PurposeFactory(legal_basis="", activity=sound_activity())
    organisation = purpose.activity.organisation
    response = dpo_client.get(reverse("admin:index"))
    [group] = [g for g in response.context["dashboard"]["findings"] if g["organisation"] == organisation]
    assert group["counts"] == {"error": 1, "warning": 0, "info": 0}

    page = response.content.decode()
    assert "Gaps in the register" in page
    assert f"Purpose “{purpose.description}” of “{purpose.activity.name}” has no legal basis recorded" in page
    assert f'href="{reverse("admin:privacy_registry_purpose_change", args=[purpose.pk])}"' in page


def test_dashboard_says_so_when_nothing_is_missing(dpo_client):
    sound_activity()
    assert "No gaps found" in dpo_client.get(reverse("admin:index")).content.decode()


def test_activity_page_shows_its_own_findings_only(dpo_client):
    activity = sound_activity(retention_statement="")
    other = f.ProcessingActivityFactory(name="Someone else's activity")
    page = dpo_client.get(reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk]))
    assert [(x.check_id, x.object_pk) for x in page.context["findings"]] == [("R011", activity.pk)]
    content = page.content.decode()
    assert "Gaps in this record" in content and "states no retention period" in content
    assert other.name not in content


# --- registry_check ---------------------------------------------------------------------------------


def test_registry_check_exits_1_and_prints_each_error():
    purpose = f.PurposeFactory(legal_basis="", activity=sound_activity())
    organisation = purpose.activity.organisation
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("registry_check", stdout=out)
    assert error.value.returncode == 1
    text = out.getvalue()
    assert f"{organisation.name} ({organisation.slug})" in text
    assert "Error (1)" in text
    assert f"R002  Purpose “{purpose.description}”" in text
    assert f"privacy_registry.purpose #{purpose.pk} /admin/privacy_registry/purpose/{purpose.pk}/change/" in text


def test_registry_check_exits_0_on_warnings_only():
    sound_activity(retention_statement="")
    out = StringIO()
    call_command("registry_check", stdout=out)
    assert "R011" in out.getvalue() and "1 findings: 0 errors, 1 warnings." in out.getvalue()


def test_registry_check_for_one_organisation_ignores_the_others():
    clean = sound_activity().organisation
    f.PurposeFactory(legal_basis="")  # another organisation's error
    out = StringIO()
    call_command("registry_check", organisation=clean.slug, stdout=out)
    assert "0 findings" in out.getvalue()


def test_registry_check_rejects_an_unknown_organisation():
    f.OrganisationFactory(slug="antura")
    with pytest.raises(CommandError, match="“nosuch”.*antura") as error:
        call_command("registry_check", organisation="nosuch")
    assert error.value.returncode == 2


def test_registry_check_lists_the_registered_checks(plugged_check):
    out = StringIO()
    call_command("registry_check", list=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("R001  Error") and "Activity without a purpose" in lines[0]
    assert any(line.startswith("X900") for line in lines)


def test_vendor_uses_pair_their_columns_in_the_same_order_whatever_the_hash_seed():
    # The recipients, transfers and systems that use a vendor are one UNION, paired by column position. A translated
    # model's values_list (django-modeltranslation) selects its columns in set order, which follows the process's
    # hash seed: vendor and organisation swapped places in some processes (R008 then missed a sub-processor).
    import os
    import re
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from privacy_registry import checks\n"
        "print(str(checks._vendor_uses(checks.Scope()).query))\n"
    )
    for seed in ("1", "2", "3", "6"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "privacy_registry.settings"}
        sql = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                             check=True).stdout
        selects = [s for s in re.findall(r"SELECT (.*?) FROM", sql) if "vendor_id" in s]
        assert len(selects) == 3, sql
        assert all(s.index('"vendor_id"') < s.index("organisation_id") for s in selects), (seed, selects)
