"""More register texts carry their own translations: a vendor's service, a privacy contact's name or function, an
office's name, a cookie's purpose and retention. The admin shows a box per language, history keeps every language,
and the migration that gave them their columns kept the text written before as the English one."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from consent import notice
from privacy_registry import models as m
from tests import factories as f
from tests.test_permission_matrix import change_form_post_data

pytestmark = pytest.mark.django_db

BOXES = {"en", "sv", "da"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _fields(page) -> set[str]:
    return set(page.context["adminform"].form.fields)


def _inline_fields(page, prefix: str) -> set[str]:
    formset = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.prefix == prefix)
    return set(formset.empty_form.fields)


def test_the_admin_shows_a_box_per_language_for_the_new_texts(dpo_client):
    organisation = f.OrganisationFactory()
    vendor = f.VendorFactory(service="Hosting")
    cookie = f.CookieFactory(organisation=organisation)

    page = dpo_client.get(reverse("admin:privacy_registry_organisation_change", args=[organisation.pk]))
    assert {f"name_{code}" for code in BOXES} <= _inline_fields(page, "offices")
    assert {f"name_{code}" for code in BOXES} <= _inline_fields(page, "contacts")
    page = dpo_client.get(reverse("admin:privacy_registry_vendor_change", args=[vendor.pk]))
    assert {f"service_{code}" for code in BOXES} <= _fields(page) and "service" not in _fields(page)
    assert {f"service_{code}" for code in BOXES} <= _inline_fields(page, "services")
    office = f.OfficeFactory(organisation=organisation)
    page = dpo_client.get(reverse("admin:privacy_registry_office_change", args=[office.pk]))
    assert {f"name_{code}" for code in BOXES} <= _fields(page)
    contact = f.PrivacyContactFactory(organisation=organisation)
    page = dpo_client.get(reverse("admin:privacy_registry_privacycontact_change", args=[contact.pk]))
    assert {f"name_{code}" for code in BOXES} <= _fields(page)
    page = dpo_client.get(reverse("admin:consent_cookie_change", args=[cookie.pk]))
    assert {f"{name}_{code}" for name in ("purpose", "retention") for code in BOXES} <= _fields(page)


def test_a_vendors_service_entered_in_swedish_is_kept_in_its_history_and_read_in_swedish(dpo_client):
    vendor = f.VendorFactory(service="Web hosting")
    url = reverse("admin:privacy_registry_vendor_change", args=[vendor.pk])
    data = change_form_post_data(dpo_client.get(url))
    data.update({"service_sv": "Webbhotell", "change_reason": "Swedish notice"})
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors

    vendor.refresh_from_db()
    assert (vendor.service_en, vendor.service_sv) == ("Web hosting", "Webbhotell")
    latest = vendor.history.latest()
    assert (latest.service_sv, latest.history_change_reason) == ("Webbhotell", "Swedish notice")
    with translation.override("sv"):
        assert vendor.service == "Webbhotell"
    with translation.override("da"):
        assert vendor.service == "Web hosting"


def test_the_notice_names_offices_and_contacts_in_the_readers_language():
    organisation = f.OrganisationFactory()
    office = f.OfficeFactory(organisation=organisation, name="Head office", is_headquarters=True)
    contact = f.PrivacyContactFactory(organisation=organisation, role=m.PrivacyContact.Role.DPO,
                                      name="Data protection officer")
    m.Office.objects.filter(pk=office.pk).update(name_sv="Huvudkontoret")
    m.PrivacyContact.objects.filter(pk=contact.pk).update(name_da="Databeskyttelsesrådgiver")

    swedish, _html = notice.render(organisation, "sv")
    danish, _html = notice.render(organisation, "da")
    assert "Huvudkontoret" in swedish and "Head office" not in swedish
    assert "Databeskyttelsesrådgiver" in danish and "Data protection officer" not in danish


def test_two_offices_of_one_organisation_cannot_share_a_name_in_a_language():
    from django.db import IntegrityError, transaction

    organisation = f.OrganisationFactory()
    f.OfficeFactory(organisation=organisation, name="Head office")
    other = f.OfficeFactory(organisation=organisation, name="Branch")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Office.objects.filter(pk=other.pk).update(name_en="Head office")


# Not in a test transaction: the migration is unapplied and applied again.
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_texts_written_before_as_the_english_ones():
    before = [("privacy_registry", "0011_organisation_primary_language")]
    after = [("privacy_registry", "0012_contact_office_vendor_texts_per_language")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organisation = old.get_model("privacy_registry", "Organisation").objects.create(name="Old AB", slug="old")
    old.get_model("privacy_registry", "Office").objects.create(organisation=organisation, name="Head office")
    old.get_model("privacy_registry", "PrivacyContact").objects.create(
        organisation=organisation, role="dpo", name="Privacy team")
    old.get_model("privacy_registry", "Vendor").objects.create(name="Hoster", service="Hosting")
    old.get_model("privacy_registry", "HistoricalVendor").objects.create(
        id=1, name="Hoster", service="Hosting", role="not_stated", history_date="2026-01-01T00:00Z",
        history_type="+")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    assert new.get_model("privacy_registry", "Office").objects.get().name_en == "Head office"
    assert new.get_model("privacy_registry", "PrivacyContact").objects.get().name_en == "Privacy team"
    assert new.get_model("privacy_registry", "Vendor").objects.get().service_en == "Hosting"
    assert new.get_model("privacy_registry", "HistoricalVendor").objects.get().service_en == "Hosting"

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
