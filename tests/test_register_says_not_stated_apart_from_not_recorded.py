"""Where a policy can be silent, "not stated" is an answer of its own, apart from "not recorded yet" (issue 16):
a vendor's role, a purpose's legal basis, a transfer's safeguard, a retention rule's start. The gap checks report
them differently, and no export turns silence into a role, a basis or a mechanism. A transfer within the EEA is
refused (and one saved earlier is flagged), never exported as an adequacy transfer."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from privacy_registry import models as m
from privacy_registry import selectors
from privacy_registry.checks import run_checks
from privacy_registry.exports.document import render_document
from privacy_registry.exports.record import build_record
from privacy_registry.exports.templates import TEMPLATES
from retention import models as rm
from tests import factories as f

pytestmark = pytest.mark.django_db


def _ids(activity, **match) -> set[str]:
    return {
        x.check_id for x in run_checks(activity=activity)
        if all(getattr(x, k) == v for k, v in match.items())
    }


def _findings(check_id: str, record) -> list:
    return [x for x in run_checks() if x.check_id == check_id and x.object_pk == record.pk]


def _row(activity, template="art30", sheet="controller") -> dict[str, str]:
    organisation = selectors.organisations_for_record().get(pk=activity.organisation_id)
    document = render_document(template=TEMPLATES[template], record=build_record(organisation=organisation))
    [row] = next(s for s in document.sheets if s.key == sheet).as_dicts()
    return row


def _text(activity, template="art30") -> str:
    organisation = selectors.organisations_for_record().get(pk=activity.organisation_id)
    document = render_document(template=TEMPLATES[template], record=build_record(organisation=organisation))
    return "\n".join(v for s in document.sheets for r in s.as_dicts() for v in r.values())


# --- vendors -----------------------------------------------------------------------------------------------------


def test_a_new_vendor_has_no_role_until_one_is_stated():
    assert m.Vendor(name="Telegram").role == m.Vendor.Role.NOT_STATED
    assert not m.Vendor(name="Telegram").is_processor


def test_a_vendor_whose_role_is_not_stated_is_a_warning_and_never_a_missing_dpa():
    activity = f.ProcessingActivityFactory()
    f.PurposeFactory(activity=activity)
    telegram = f.VendorFactory(name="Telegram", role=m.Vendor.Role.NOT_STATED, dpa_signed_on=None)
    f.RecipientFactory(activity=activity, vendor=telegram, kind=m.Recipient.Kind.SERVICE_PROVIDER)

    [finding] = _findings("R015", telegram)
    assert finding.severity == "warning" and "Telegram" in finding.message
    assert _findings("R008", telegram) == []


def test_no_export_calls_a_vendor_whose_role_is_not_stated_a_processor():
    activity = f.ProcessingActivityFactory()
    f.PurposeFactory(activity=activity)
    google = f.VendorFactory(name="Google", role=m.Vendor.Role.NOT_STATED, dpa_signed_on=None)
    analytics = f.VendorFactory(name="Google Analytics", company=google, role=m.Vendor.Role.NOT_STATED,
                                category=m.Vendor.Category.ANALYTICS, dpa_signed_on=None)
    f.RecipientFactory(activity=activity, vendor=analytics, kind=m.Recipient.Kind.SERVICE_PROVIDER)
    activity.systems.add(f.SystemFactory(organisation=activity.organisation, vendor=analytics))

    for template in TEMPLATES:
        text = _text(activity, template)
        assert "Processor: Google" not in text, template
        assert "Google Analytics" in text, template
    row = _row(activity)
    assert "Service provider (role not stated): Google Analytics" in row[
        "(d) Categories of recipients, incl. in third countries or international organisations"]
    contracts = _row(activity, "ico")["Link to contract with processor"]
    assert contracts == "Role not stated (not recorded as processors): Google Analytics"


def test_a_recipient_cannot_be_recorded_as_processor_for_a_vendor_not_stated_to_be_one():
    vendor = f.VendorFactory(role=m.Vendor.Role.NOT_STATED)
    recipient = f.RecipientFactory.build(activity=f.ProcessingActivityFactory(), vendor=vendor,
                                         kind=m.Recipient.Kind.PROCESSOR)
    with pytest.raises(ValidationError) as error:
        recipient.full_clean()
    assert "kind" in error.value.message_dict


def test_a_vendor_kept_by_one_organisation_cannot_serve_another():
    own = f.VendorFactory(organisation=f.OrganisationFactory())
    recipient = f.RecipientFactory.build(activity=f.ProcessingActivityFactory(), vendor=own)
    with pytest.raises(ValidationError) as error:
        recipient.full_clean()
    assert "vendor" in error.value.message_dict
    shared = f.VendorFactory(organisation=None)
    f.RecipientFactory.build(activity=f.ProcessingActivityFactory(), vendor=shared).full_clean()


# --- legal basis -------------------------------------------------------------------------------------------------


def test_basis_not_stated_and_basis_not_recorded_are_reported_apart():
    activity = f.ProcessingActivityFactory()
    not_recorded = f.PurposeFactory(activity=activity, legal_basis="")
    not_stated = f.PurposeFactory(activity=activity, legal_basis="", legal_basis_not_stated=True)

    assert [x.check_id for x in run_checks() if x.object_pk == not_recorded.pk
            and x.model_label == "privacy_registry.purpose"] == ["R002"]
    assert [x.check_id for x in run_checks() if x.object_pk == not_stated.pk
            and x.model_label == "privacy_registry.purpose"] == ["R016"]


def test_export_says_not_stated_or_not_recorded_and_keeps_the_basis_as_stated():
    activity = f.ProcessingActivityFactory()
    f.PurposeFactory(activity=activity, description="A", legal_basis="")
    f.PurposeFactory(activity=activity, description="B", legal_basis="", legal_basis_not_stated=True,
                     legal_basis_as_stated="legitimate interests or consent")
    f.PurposeFactory(activity=activity, description="C", legal_basis=m.LegalBasis.LEGITIMATE_INTERESTS,
                     legal_basis_as_stated="“legitimate consent” under point 6f")
    organisation = selectors.organisations_for_record().get(pk=activity.organisation_id)
    document = render_document(template=TEMPLATES["art30"], record=build_record(organisation=organisation))
    bases = {r["(b) Purpose of the processing"]: r["Legal basis (Art. 6(1))"]
             for r in next(s for s in document.sheets if s.key == "controller").as_dicts()}

    assert bases["A"] == "Not recorded"
    assert bases["B"] == ("Not stated by the organisation as one Art. 6(1) basis; "
                          "as stated: legitimate interests or consent")
    assert bases["C"] == "Art. 6(1)(f) legitimate interests – as stated: “legitimate consent” under point 6f"


def test_a_basis_and_not_stated_together_are_refused():
    purpose = f.PurposeFactory.build(activity=f.ProcessingActivityFactory(), legal_basis_not_stated=True)
    with pytest.raises(ValidationError):
        purpose.full_clean()


# --- transfers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mechanism", [m.Transfer.Mechanism.NOT_STATED, m.Transfer.Mechanism.PROVIDER_TERMS])
def test_safeguard_not_stated_is_reported_apart_from_not_recorded(mechanism):
    activity = f.ProcessingActivityFactory()
    stated_none = f.TransferFactory(activity=activity, destination=f.country("IN"), mechanism=mechanism)
    not_recorded = f.TransferFactory(activity=activity, destination=f.country("IN"), mechanism="")

    assert [x.check_id for x in _findings("R017", stated_none)] == ["R017"]
    assert _findings("R006", stated_none) == []
    assert [x.check_id for x in _findings("R006", not_recorded)] == ["R006"]
    assert _findings("R017", not_recorded) == []
    safeguards = _row_for_purpose(activity)["(e) Safeguards, incl. documentation for Art. 49(1) "
                                            "second-subparagraph transfers"]
    assert str(m.Transfer.Mechanism(mechanism).label) in safeguards
    assert "NO SAFEGUARD RECORDED" in safeguards  # the one not recorded


def _row_for_purpose(activity):
    f.PurposeFactory(activity=activity)
    return _row(activity)


def test_a_transfer_to_an_eea_country_is_refused():
    transfer = f.TransferFactory.build(activity=f.ProcessingActivityFactory(), destination=f.country("IE"),
                                       vendor=None, mechanism=m.Transfer.Mechanism.ADEQUACY)
    with pytest.raises(ValidationError) as error:
        transfer.full_clean()
    assert "destination" in error.value.message_dict


def test_an_eea_transfer_saved_earlier_is_flagged_and_never_exported_as_adequacy():
    activity = f.ProcessingActivityFactory()
    ireland = f.TransferFactory(activity=activity, destination=f.country("IE"),
                                mechanism=m.Transfer.Mechanism.ADEQUACY)

    [finding] = _findings("R018", ireland)
    assert finding.severity == "warning"
    row = _row_for_purpose(activity)
    safeguards = row["(e) Safeguards, incl. documentation for Art. 49(1) second-subparagraph transfers"]
    assert "Adequacy" not in safeguards and "Art. 45" not in safeguards
    assert "Not a third-country transfer: Ireland is in the EEA" in safeguards
    assert "(in the EEA: not a third country)" in row["(e) Transfers to third countries or international "
                                                      "organisations"]


# --- retention start ----------------------------------------------------------------------------------------------


def test_retention_start_not_stated_and_not_recorded_are_reported_apart():
    activity = f.ProcessingActivityFactory(retention_statement="Up to ten years.")
    not_stated = rm.RetentionRule.objects.create(activity=activity, trigger=rm.RetentionRule.Trigger.NOT_STATED,
                                                 period_amount=10, enabled=False)
    not_recorded = rm.RetentionRule.objects.create(activity=activity, trigger=rm.RetentionRule.Trigger.NOT_RECORDED,
                                                   period_amount=10, enabled=False)

    assert [x.check_id for x in _findings("RET002", not_stated)] == ["RET002"]
    assert _findings("RET004", not_stated) == []
    assert [x.check_id for x in _findings("RET004", not_recorded)] == ["RET004"]
    assert _findings("RET002", not_recorded) == []
    retention = _row_for_purpose(activity)["(f) Envisaged time limits for erasure"]
    assert "up to 10 years, start not stated; then erased (not enforced)" in retention
    assert "up to 10 years, start not recorded yet; then erased (not enforced)" in retention
