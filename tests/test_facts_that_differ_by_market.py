"""One register, several markets: a cookie set only on the Swedish site, a consent asked only of Danish visitors.
Such a row names the notice languages it belongs to (``languages``; none named: every language), and the notice in
another language does not list it."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consent import notice, selectors
from consent.models import ConsentPurpose, Cookie
from privacy_registry.markets import for_language
from privacy_registry.models import NoticeStatement
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_swedish_only_cookie_is_in_the_swedish_notices_cookies_and_not_in_the_english_ones():
    organisation = f.OrganisationFactory()
    swedish = f.CookieFactory(organisation=organisation, name="_se_only", languages=["sv"])
    everywhere = f.CookieFactory(organisation=organisation, name="_everywhere")
    nordic = f.CookieFactory(organisation=organisation, name="_nordic", languages=["da", "sv"])
    f.CookieFactory(name="_other_organisation", languages=["sv"])

    def names(language):
        return set(selectors.notice_cookies(organisation=organisation, language=language)
                   .values_list("name", flat=True))

    assert names("sv") == {"_se_only", "_everywhere", "_nordic"}
    assert names("en") == {"_everywhere"}
    assert names("da") == {"_everywhere", "_nordic"}
    assert swedish.shown_in("sv") and not swedish.shown_in("en")
    assert everywhere.shown_in("en") and everywhere.shown_in("da")
    assert nordic.shown_in("da") and not nordic.shown_in("en")


def test_a_consent_purpose_asked_only_in_denmark_is_selected_for_danish_only():
    organisation = f.OrganisationFactory()
    f.ConsentPurposeFactory(organisation=organisation, key="dk-offers", languages=["da"])
    f.ConsentPurposeFactory(organisation=organisation, key="newsletter")

    def keys(language):
        return set(selectors.notice_consent_purposes(organisation=organisation, language=language)
                   .values_list("key", flat=True))

    assert keys("da") == {"dk-offers", "newsletter"}
    assert keys("sv") == keys("en") == {"newsletter"}
    assert set(for_language(ConsentPurpose.objects.all(), "da").values_list("key", flat=True)) == keys("da")


def test_languages_are_kept_once_each_in_the_settings_order_and_only_known_ones():
    cookie = f.CookieFactory(languages=["sv", "en", "sv"])
    cookie.refresh_from_db()
    assert cookie.languages == ["en", "sv"]
    assert set(for_language(Cookie.objects.all(), "sv")) == {cookie}

    cookie.languages = ["fi"]
    with pytest.raises(ValidationError) as raised:
        cookie.full_clean()
    assert "languages" in raised.value.error_dict


def test_the_admin_offers_the_languages_as_checkboxes_and_saves_the_ticked_ones(dpo_client):
    from tests.test_permission_matrix import change_form_post_data

    cookie = f.CookieFactory(name="_ga")
    url = reverse("admin:consent_cookie_change", args=[cookie.pk])
    page = dpo_client.get(url)
    field = page.context["adminform"].form.fields["languages"]
    assert [code for code, _name in field.choices] == ["en", "sv", "da"]
    assert 'type="checkbox"' in str(page.context["adminform"].form["languages"])

    data = change_form_post_data(page)
    data["languages"] = ["sv"]
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    cookie.refresh_from_db()
    assert cookie.languages == ["sv"]
    assert cookie.history.latest().languages == ["sv"]

    purpose = f.ConsentPurposeFactory()
    page = dpo_client.get(reverse("admin:consent_consentpurpose_change", args=[purpose.pk]))
    assert "languages" in page.context["adminform"].form.fields


def test_the_english_notice_does_not_list_a_swedish_only_cookie():
    organisation = f.OrganisationFactory()
    f.CookieFactory(organisation=organisation, name="_se_only", languages=["sv"])
    f.CookieFactory(organisation=organisation, name="_everywhere")
    english, _ = notice.render(organisation, "en")
    swedish, _ = notice.render(organisation, "sv")
    assert "_everywhere" in english and "_everywhere" in swedish
    assert "_se_only" not in english
    assert "_se_only" in swedish


def test_a_danish_only_statement_is_in_the_danish_notice_only():
    organisation = f.OrganisationFactory()
    NoticeStatement.objects.create(organisation=organisation, topic=NoticeStatement.Topic.NOT_DONE,
                                   text_en="We do not sell data in Denmark.", languages=["da"])
    danish, _html = notice.render(organisation, "da")
    english, _html = notice.render(organisation, "en")
    assert "We do not sell data in Denmark." in danish
    assert "We do not sell data in Denmark." not in english


def test_the_preview_says_whether_the_notice_states_the_same_facts_in_every_language(dpo_client):
    organisation = f.OrganisationFactory()
    url = reverse("admin:consent_noticeversion_preview", args=[organisation.pk])
    page = dpo_client.get(url).content.decode()
    assert "The notice states the same facts in every language." in page
    f.CookieFactory(organisation=organisation, name="_se_only", languages=["sv"])
    page = dpo_client.get(url).content.decode()
    assert "The notice states the same facts in every language." not in page
    assert "Facts shown in some languages only" in page and "_se_only" in page
