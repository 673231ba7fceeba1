"""The register refuses records that contradict themselves or the GDPR, on the model (full_clean) and in the
admin, where an invalid form answers with the error and writes nothing. Also the transfer and 72-hour
rules the register computes: which countries need a safeguard, and when a breach is overdue."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from privacy_registry import models as m
from tests import factories as f
from tests.test_permission_matrix import change_form_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # A staff user per admin test: the production hasher would make the module slow, not safer.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


# --- data categories and vendors ------------------------------------------------------------------------


def test_a_kind_of_special_category_requires_marking_the_category_special():
    category = f.PersonalDataCategoryFactory.build(special_category=m.SpecialCategory.HEALTH, is_special=False)

    assert "is_special" in _errors(category)
    category.is_special = True
    category.full_clean()


def test_a_sub_processor_needs_the_vendor_that_engaged_it():
    sub_processor = f.VendorFactory.build(role=m.Vendor.Role.SUB_PROCESSOR, engaged_by=None)

    assert "engaged_by" in _errors(sub_processor)
    sub_processor.engaged_by = f.VendorFactory()
    sub_processor.full_clean()


def test_a_vendor_cannot_engage_itself():
    vendor = f.VendorFactory()
    vendor.engaged_by = vendor

    assert _errors(vendor)["engaged_by"] == ["A vendor cannot engage itself."]


# --- processing activities ------------------------------------------------------------------------------


def test_automated_decision_making_requires_its_logic():
    activity = f.ProcessingActivityFactory(automated_decision_making=True, automated_logic="")

    assert "automated_logic" in _errors(activity)
    activity.automated_logic = "Scores applications; a score under 40 is declined without review."
    activity.full_clean()


@pytest.mark.parametrize(
    ("link", "completed_on", "valid"),
    [("", None, False), ("https://intranet.example.org/dpia/1", None, True), ("", "2025-03-01", True)],
)
def test_a_completed_dpia_needs_a_link_or_a_completion_date(link, completed_on, valid):
    activity = f.ProcessingActivityFactory(
        dpia_status=m.ProcessingActivity.DpiaStatus.COMPLETED, dpia_link=link, dpia_completed_on=completed_on
    )

    if valid:
        activity.full_clean()
    else:
        assert "dpia_link" in _errors(activity)


# --- transfers ------------------------------------------------------------------------------------------


def test_an_art_49_derogation_mechanism_must_name_the_derogation():
    transfer = f.TransferFactory(mechanism=m.Transfer.Mechanism.DEROGATION, derogation="")

    assert "derogation" in _errors(transfer)
    transfer.derogation = m.Transfer.Derogation.EXPLICIT_CONSENT
    transfer.full_clean()


def test_a_named_derogation_requires_the_derogation_mechanism():
    transfer = f.TransferFactory(mechanism=m.Transfer.Mechanism.SCC, derogation=m.Transfer.Derogation.CONTRACT)

    assert "mechanism" in _errors(transfer)


@pytest.mark.parametrize(
    ("code", "needs_safeguard"),
    [
        ("SE", False),  # EEA member
        ("JP", False),  # adequacy decision (Art. 45)
        ("US", True),  # adequacy covers only organisations certified under the Data Privacy Framework
        ("IN", True),  # third country without a decision
    ],
)
def test_which_destinations_need_a_safeguard(code, needs_safeguard):
    assert f.country(code).needs_safeguard is needs_safeguard


def test_an_unnamed_destination_is_treated_as_a_third_country():
    transfer = f.TransferFactory(destination=None, destination_description="Hosting providers outside the EU")

    transfer.full_clean()
    assert transfer.needs_safeguard is True
    assert f.TransferFactory(destination=f.country("SE")).needs_safeguard is False


# --- incidents and the 72-hour clock --------------------------------------------------------------------


def test_a_breach_cannot_occur_after_it_was_detected():
    detected = timezone.now() - timedelta(hours=5)
    incident = f.IncidentFactory(detected_at=detected, occurred_at=detected + timedelta(hours=1))

    assert "occurred_at" in _errors(incident)
    incident.occurred_at = detected - timedelta(days=2)
    incident.full_clean()


def test_a_notification_later_than_72_hours_needs_the_reasons_for_the_delay():
    detected = timezone.now() - timedelta(days=5)
    incident = f.IncidentFactory(detected_at=detected, authority_notified_at=detected + timedelta(hours=73))

    assert "delay_reason" in _errors(incident)
    incident.delay_reason = "The processor told us four days after it found the breach."
    incident.full_clean()


def test_a_notification_within_72_hours_needs_no_reasons():
    detected = timezone.now() - timedelta(days=5)

    f.IncidentFactory(detected_at=detected, authority_notified_at=detected + timedelta(hours=71)).full_clean()


def test_the_72_hour_clock_runs_from_detection_until_the_authority_is_notified():
    detected = timezone.now() - timedelta(hours=10)
    incident = f.IncidentFactory(detected_at=detected, risk=m.Incident.Risk.RISK)

    assert incident.notification_deadline == detected + timedelta(hours=72)
    assert incident.clock_running is True
    assert incident.is_overdue is False
    assert timedelta(hours=61) < incident.time_left() < timedelta(hours=62)

    incident.authority_notified_at = timezone.now()
    assert incident.clock_running is False
    assert incident.is_overdue is False


@pytest.mark.parametrize(
    ("risk", "running"),
    [
        (m.Incident.Risk.UNASSESSED, True),
        (m.Incident.Risk.RISK, True),
        (m.Incident.Risk.HIGH, True),
        (m.Incident.Risk.UNLIKELY, False),  # recorded only (Art. 33(5)): no notification due
    ],
)
def test_a_breach_is_overdue_once_72_hours_pass_without_notification_unless_no_risk_is_likely(risk, running):
    incident = f.IncidentFactory(detected_at=timezone.now() - timedelta(hours=73), risk=risk)

    assert incident.clock_running is running
    assert incident.is_overdue is running


# --- the same rules through the admin -------------------------------------------------------------------


def test_the_admin_answers_an_invalid_activity_with_the_error_and_changes_nothing(dpo_client):
    activity = f.ProcessingActivityFactory(name="Credit scoring")
    f.PurposeFactory(activity=activity)
    url = reverse("admin:privacy_registry_processingactivity_change", args=[activity.pk])
    versions, log_entries = activity.history.count(), LogEntry.objects.count()
    data = change_form_post_data(dpo_client.get(url))
    # Register texts are entered per language: the check on the logic answers on its English box (no 500).
    data.update(name_en="Automated credit scoring", automated_decision_making="true", automated_logic_en="")

    response = dpo_client.post(url, data)

    assert response.status_code == 200
    assert "describe its logic and consequences" in response.content.decode()
    assert response.context["adminform"].form.errors["automated_logic_en"]
    activity.refresh_from_db()
    assert activity.name == "Credit scoring"
    assert activity.automated_decision_making is None  # still not stated
    assert activity.history.count() == versions
    assert LogEntry.objects.count() == log_entries


def test_the_admin_answers_an_invalid_incident_with_the_error_and_adds_nothing(dpo_client):
    organisation = f.OrganisationFactory()
    url = reverse("admin:privacy_registry_incident_add")

    response = dpo_client.post(url, {
        "organisation": organisation.pk, "title": "Laptop stolen", "status": m.Incident.Status.OPEN,
        "risk": m.Incident.Risk.RISK,
        "detected_at_0": "2026-03-01", "detected_at_1": "09:00:00",
        "occurred_at_0": "2026-03-02", "occurred_at_1": "09:00:00",
        "_save": "Save",
    })

    assert response.status_code == 200
    assert "A breach cannot occur after it was detected." in response.content.decode()
    assert not m.Incident.objects.exists()
    assert not m.Incident.history.exists()
    assert not LogEntry.objects.exists()


def test_the_admin_refuses_a_sub_processor_without_the_vendor_that_engaged_it(compliance_client):
    response = compliance_client.post(reverse("admin:privacy_registry_vendor_add"), {
        "name": "Mail relay", "role": m.Vendor.Role.SUB_PROCESSOR,
        "sub_processors-TOTAL_FORMS": "0", "sub_processors-INITIAL_FORMS": "0",
        "_save": "Save",
    })

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["engaged_by"]
    assert not m.Vendor.objects.filter(name="Mail relay").exists()
