"""The demo holds the seed organisations' cookie tables and consent purposes for every purpose they base on
consent (so CON001 reports nothing for them), and publishes each demo organisation's first notice version (by the
demo loader, gaps kept), so the public notice page answers after `load_demo`; loading it again writes nothing and
publishes nothing, unless the register changed."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consent import completeness
from consent.models import ConsentPurpose, Cookie, CookieCategory, NoticeVersion
from privacy_registry.checks import run_checks
from privacy_registry.models import Organisation
from tests import factories as f

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
        CookieCategory.NOT_STATED, CookieCategory.STATISTICS, CookieCategory.MARKETING}
    # No policy calls a cookie necessary or says which party sets it.
    assert not Cookie.objects.filter(category=CookieCategory.NECESSARY).exists()
    assert set(Cookie.objects.values_list("party", flat=True)) == {Cookie.Party.NOT_STATED}
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
    assert "consent: consent purposes: 0, cookies: 0, notices published: 0" in output


DEMO = ("antura", "antara", "avara")


def test_each_demo_organisation_has_a_published_notice_from_the_demo_loader(client):
    output = _load()
    assert "notices published: 3" in output
    for slug in DEMO:
        org = Organisation.objects.get(slug=slug)
        version = NoticeVersion.objects.get(organisation=org)
        assert version.number == 1 and version.published_by is None and version.note == "demo data"
        # The gaps are the completeness report's, kept with the version as a DPO's publication keeps them.
        assert version.gaps == [gap.as_dict() for gap in completeness.completeness(org)]
        assert set(version.texts) == {"en", "sv", "da"}
        response = client.get(f"/privacy/{slug}/")
        assert response.status_code == 200
        activity = org.activities.filter(status="active", record_type="controller").order_by("name").first()
        assert activity.name in response.content.decode()


def test_a_second_load_never_publishes_a_change_the_dpo_has_not_published():
    _load()
    assert "notices published: 0" in _load()
    assert NoticeVersion.objects.count() == 3
    avara = Organisation.objects.get(slug="avara")
    f.CookieFactory(organisation=avara, name="_new_cookie", purpose="Count visits")  # not in the seeds: stays
    # publishing is the DPO's decision: the change waits on the preview
    assert "notices published: 0" in _load()
    versions = NoticeVersion.objects.filter(organisation=avara).order_by("number")
    assert [v.number for v in versions] == [1] and "_new_cookie" not in versions[0].texts["en"]
    assert NoticeVersion.objects.count() == 3
