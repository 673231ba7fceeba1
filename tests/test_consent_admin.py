"""Consent in the admin: pages render for each role, purposes are saved through the service (hash and version),
evidence is read-only for everyone, and the organisation's page offers the notice preview (contributed by the
consent app through the register's object-tools registry)."""
from __future__ import annotations

import pytest

from consent import services
from consent.models import ConsentPurpose, Method, wording_digest
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGES = ("consentpurpose", "consentrecord", "consentevent", "cookie", "consentsettings", "noticeversion")


@pytest.mark.parametrize("page", PAGES)
def test_lists_render_for_the_dpo_and_the_auditor(dpo_client, auditor_client, page):
    purpose = f.ConsentPurposeFactory()
    services.consent_give(purpose=purpose, subject=f.DataSubjectFactory(organisation=purpose.organisation),
                          method=Method.FORM)
    f.CookieFactory(organisation=purpose.organisation)
    for client in (dpo_client, auditor_client):
        assert client.get(f"/admin/consent/{page}/").status_code == 200


def test_a_purpose_saved_in_the_admin_gets_its_hash_and_a_new_version_when_the_wording_changes(dpo_client):
    organisation = f.OrganisationFactory()
    register_purpose = f.PurposeFactory(activity=f.ProcessingActivityFactory(organisation=organisation),
                                        legal_basis="a")
    form = {"organisation": organisation.pk, "key": "newsletter", "name_en": "Newsletter", "active": "on",
            "wording": "Monthly news.", "register_purposes": [register_purpose.pk], "cookie_category": ""}
    assert dpo_client.post("/admin/consent/consentpurpose/add/", form).status_code == 302
    purpose = ConsentPurpose.objects.get(key="newsletter")
    assert purpose.wording_hash == wording_digest("Monthly news.") and purpose.wording_version == 1
    assert list(purpose.register_purposes.all()) == [register_purpose]

    dpo_client.post(f"/admin/consent/consentpurpose/{purpose.pk}/change/", {**form, "wording": "Weekly news."})
    purpose.refresh_from_db()
    assert purpose.wording_version == 2 and purpose.wording_hash == wording_digest("Weekly news.")


def test_consents_and_events_cannot_be_changed_even_by_a_superuser(superuser_client):
    purpose = f.ConsentPurposeFactory()
    record = services.consent_give(purpose=purpose, subject=f.DataSubjectFactory(organisation=purpose.organisation),
                                   method=Method.FORM)
    event = record.events.get()
    for url in (f"/admin/consent/consentrecord/{record.pk}/delete/", f"/admin/consent/consentevent/{event.pk}/delete/",
                "/admin/consent/consentevent/add/"):
        assert superuser_client.get(url).status_code == 403
    page = superuser_client.get(f"/admin/consent/consentrecord/{record.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_the_organisation_page_links_to_the_notice_preview(dpo_client):
    organisation = f.OrganisationFactory()
    page = dpo_client.get(f"/admin/privacy_registry/organisation/{organisation.pk}/change/").content.decode()
    preview = f"/admin/consent/noticeversion/preview/{organisation.pk}/"
    assert preview in page
    assert dpo_client.get(preview).status_code == 200
