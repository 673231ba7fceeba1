"""`make run` loads the demo on every start. A demo record a DPO has changed since (with a reason in its history)
is theirs: loading the demo again leaves the change standing and writes no history row of its own. It still adds
what is missing."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consent import services as consent_services
from consent.models import ConsentPurpose, Cookie
from privacy_registry.models import DataSubjectCategory, LegalBasis, ProcessingActivity, Purpose
from privacy_registry.services import record_save
from retention import services as retention_services
from retention.models import RetentionRule

pytestmark = pytest.mark.django_db

REASON = "DPO review: our own wording"


def _load() -> None:
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def dpo(dpo_client):
    _load()
    return dpo_client.user


def _latest_reason(instance) -> str:
    return instance.history.order_by("-history_id").first().history_change_reason


def test_a_changed_activity_and_purpose_stand_after_the_next_load(dpo):
    activity = ProcessingActivity.objects.get(organisation__slug="avara", name="Sales, marketing and customer care")
    purpose = Purpose.objects.get(activity__organisation__slug="antura", description__startswith="Follow up")
    activity.description = "Our sales team's customer dialogue, as the DPO describes it."
    activity.retention_statement = "Two years from the last contact (checked by the DPO)."
    record_save(instance=activity, actor=dpo, reason=REASON)
    purpose.legal_basis = LegalBasis.CONSENT
    purpose.legitimate_interest = ""
    record_save(instance=purpose, actor=dpo, reason=REASON)
    history = (activity.history.count(), purpose.history.count())

    _load()

    activity.refresh_from_db()
    purpose.refresh_from_db()
    assert activity.description == "Our sales team's customer dialogue, as the DPO describes it."
    assert activity.retention_statement == "Two years from the last contact (checked by the DPO)."
    assert (purpose.legal_basis, purpose.legitimate_interest) == (LegalBasis.CONSENT, "")
    assert (activity.history.count(), purpose.history.count()) == history
    assert _latest_reason(activity) == _latest_reason(purpose) == REASON


def test_a_category_the_dpo_took_off_an_activity_stays_off(dpo):
    activity = ProcessingActivity.objects.get(organisation__slug="avara", name="Sales, marketing and customer care")
    removed = activity.data_categories.order_by("pk").first()
    activity._change_reason = REASON
    activity.data_categories.remove(removed)
    kept = set(activity.data_categories.values_list("pk", flat=True))

    _load()

    assert set(activity.data_categories.values_list("pk", flat=True)) == kept
    assert removed.pk not in kept


def test_a_translation_the_dpo_changed_or_cleared_stays_as_they_left_it(dpo):
    customer = DataSubjectCategory.objects.get(name_en="Customer")
    enquirer = DataSubjectCategory.objects.get(name_en="Enquirer")
    customer.name_sv = "Kund (företag)"
    record_save(instance=customer, actor=dpo, reason=REASON)
    enquirer.name_da = None  # the DPO would rather show the English name than this translation
    record_save(instance=enquirer, actor=dpo, reason=REASON)

    _load()

    customer.refresh_from_db()
    enquirer.refresh_from_db()
    assert customer.name_sv == "Kund (företag)"
    assert enquirer.name_da is None
    assert _latest_reason(customer) == _latest_reason(enquirer) == REASON


def test_a_changed_retention_rule_consent_purpose_and_cookie_stand(dpo):
    rule = RetentionRule.objects.get(activity__organisation__slug="avara", statement__startswith="Active dialogue")
    rule.legal_reference = "Avara retention schedule 2026, section 3"
    retention_services.rule_save(rule=rule, actor=dpo, reason=REASON)
    purpose = ConsentPurpose.objects.get(organisation__slug="avara", key="cookies-not_stated")
    purpose.wording = "I agree that Avara remembers what I type into its forms."
    consent_services.purpose_save(purpose=purpose, actor=dpo, reason=REASON)
    cookie = Cookie.objects.get(organisation__slug="avara", name="Form-filling cookies")
    cookie.retention = "30 days"
    consent_services.cookie_save(cookie=cookie, actor=dpo, reason=REASON)
    history = (rule.history.count(), purpose.history.count(), cookie.history.count())

    _load()

    rule.refresh_from_db()
    purpose.refresh_from_db()
    cookie.refresh_from_db()
    assert rule.legal_reference == "Avara retention schedule 2026, section 3"
    assert purpose.wording == "I agree that Avara remembers what I type into its forms."
    assert cookie.retention == "30 days"
    assert (rule.history.count(), purpose.history.count(), cookie.history.count()) == history
    assert {_latest_reason(rule), _latest_reason(purpose), _latest_reason(cookie)} == {REASON}


def test_what_is_missing_is_added_again(dpo):
    Cookie.objects.filter(organisation__slug="antara", name="Session cookies").delete()
    Purpose.objects.filter(activity__organisation__slug="avara", description__startswith="Answer enquiries").delete()

    _load()

    assert Cookie.objects.filter(organisation__slug="antara", name="Session cookies").exists()
    purpose = Purpose.objects.get(activity__organisation__slug="avara", description_en="Answer enquiries")
    assert purpose.description_sv == "Besvara förfrågningar"
    assert _latest_reason(purpose) == "demo data"
