"""The demo holds the seed organisations' cookie tables and consent purposes for every purpose they base on
consent (so CON001 reports nothing for them), and loading it again writes nothing."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consent.models import ConsentPurpose, Cookie, CookieCategory
from privacy_registry.checks import run_checks
from privacy_registry.models import Organisation

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_holds_the_cookie_tables_and_covers_every_consent_basis():
    output = _load()
    assert "consent:" in output
    antura = Organisation.objects.get(slug="antura")
    assert set(Cookie.objects.filter(organisation=antura).values_list("category", flat=True)) == {
        CookieCategory.NECESSARY, CookieCategory.STATISTICS, CookieCategory.MARKETING}
    ga = Cookie.objects.get(organisation=antura, name__startswith="_ga")
    assert ga.vendor is not None and ga.vendor.name == "Google Analytics" and "25 months" in ga.retention
    assert Cookie.objects.filter(organisation__slug="antara").count() == 3
    assert Cookie.objects.filter(organisation__slug="avara").count() == 1
    assert ConsentPurpose.objects.filter(organisation=antura, cookie_category=CookieCategory.MARKETING).exists()
    assert [x for x in run_checks() if x.check_id == "CON001"] == []


def test_loading_the_demo_again_writes_nothing():
    _load()
    counts = (Cookie.objects.count(), ConsentPurpose.objects.count(), Cookie.history.count(),
              ConsentPurpose.history.count())
    output = _load()
    assert (Cookie.objects.count(), ConsentPurpose.objects.count(), Cookie.history.count(),
            ConsentPurpose.history.count()) == counts
    assert "consent: consent purposes: 0, cookies: 0, changed: 0" in output
