"""A cookie whose policy states no category, or no party, is "not stated": never treated as necessary. It needs
consent like any other cookie that is not necessary, and the banner lets a visitor refuse its category."""
from __future__ import annotations

import pytest

from consent import services
from consent.models import Cookie, CookieCategory

from .factories import ConsentPurposeFactory, CookieFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

VISITOR = "v" * 32


def test_a_new_cookie_is_not_stated_until_its_policy_says_otherwise():
    cookie = Cookie(organisation=OrganisationFactory(), name="_x", purpose="As stated.")
    assert (cookie.category, cookie.party) == (CookieCategory.NOT_STATED, Cookie.Party.NOT_STATED)
    cookie.full_clean()


def test_only_a_cookie_stated_necessary_goes_without_consent():
    assert not CookieFactory.build(category=CookieCategory.NECESSARY).needs_consent
    assert CookieFactory.build(category=CookieCategory.NOT_STATED).needs_consent
    assert CookieFactory.build(category=CookieCategory.STATISTICS).needs_consent


def test_the_banner_treats_a_not_stated_category_as_consent_needing_not_as_necessary():
    org = OrganisationFactory()
    ConsentPurposeFactory(organisation=org, key="cookies-unclassified", cookie_category=CookieCategory.NOT_STATED)

    before = services.cookie_choice_record(organisation=org, visitor_id=VISITOR, choices=None, gpc=False)
    assert before.categories[CookieCategory.NOT_STATED] is False  # off until the visitor allows it
    assert before.categories[CookieCategory.NECESSARY] is True

    refused = services.cookie_choice_record(organisation=org, visitor_id=VISITOR,
                                            choices={CookieCategory.NOT_STATED: False}, gpc=False)
    assert refused.categories[CookieCategory.NOT_STATED] is False  # refusing it is allowed, unlike "necessary"
    given = services.cookie_choice_record(organisation=org, visitor_id=VISITOR,
                                          choices={CookieCategory.NOT_STATED: True}, gpc=False)
    assert given.categories[CookieCategory.NOT_STATED] is True
