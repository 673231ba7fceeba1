"""GET/POST /api/<organisation>/cookie-consent/: a banner choice per category recorded for a pseudonymous visitor
with the notice version; Sec-GPC applied as an opt-out of marketing, recorded, and a conflict recorded when it
overrides a "yes"; JSON errors for bad input, 413 over the body limit, 429 over the rate, CORS only for the
organisation's origins."""
from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from consent import services
from consent.models import ConsentEvent, ConsentRecord, ConsentSettings, CookieCategory, NoticeVersion
from tests import factories as f

pytestmark = pytest.mark.django_db

VISITOR = "visitor-0123456789abcdef"
ORIGIN = "https://www.example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org():
    organisation = f.OrganisationFactory()
    for category in (CookieCategory.STATISTICS, CookieCategory.MARKETING):
        f.ConsentPurposeFactory(organisation=organisation, key=f"cookies-{category}", cookie_category=category,
                                name=f"{category} cookies")
    ConsentSettings.objects.create(organisation=organisation, allowed_origins=f"{ORIGIN}\nhttps://shop.example.com/")
    NoticeVersion.objects.create(organisation=organisation, number=1, texts={"en": "v1"}, sha256="0" * 64)
    return organisation


def _post(client, org, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/api/{org.slug}/cookie-consent/", data=data, content_type="application/json", **headers)


def _state(visitor=VISITOR):
    return dict(ConsentRecord.objects.filter(visitor_id=visitor).values_list("purpose__cookie_category", "state"))


def test_a_valid_choice_is_recorded_per_category_with_the_notice_version(client, org):
    response = _post(client, org, {"visitor_id": VISITOR, "categories": {"statistics": True, "marketing": False}},
                     HTTP_USER_AGENT="Firefox", REMOTE_ADDR="192.0.2.200")
    assert response.status_code == 200
    body = response.json()
    assert body["categories"] == {"necessary": True, "statistics": True, "marketing": False}
    assert body["notice_version"] == 1 and body["gpc"] == {"signal": False, "applied": False, "conflict": False}
    assert _state() == {"statistics": "given", "marketing": "refused"}
    events = ConsentEvent.objects.filter(visitor_id=VISITOR)
    assert {(e.kind, e.notice_version.number, e.ip_prefix, e.subject_id) for e in events} == {
        ("given", 1, "192.0.2.0/24", None), ("refused", 1, "192.0.2.0/24", None)}

    again = client.get(f"/api/{org.slug}/cookie-consent/?visitor_id={VISITOR}")
    assert again.json()["categories"] == {"necessary": True, "statistics": True, "marketing": False}


def test_changing_a_choice_keeps_one_record_per_category_and_appends_events(client, org):
    _post(client, org, {"visitor_id": VISITOR, "categories": {"statistics": True}})
    _post(client, org, {"visitor_id": VISITOR, "categories": {"statistics": False}})
    assert ConsentRecord.objects.filter(visitor_id=VISITOR).count() == 1
    assert list(ConsentEvent.objects.filter(visitor_id=VISITOR).order_by("pk").values_list("kind", flat=True)) == [
        "given", "withdrawn"]


@pytest.mark.parametrize(("body", "message"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ({"visitor_id": VISITOR, "categories": {"advertising": True}}, "Unknown cookie category"),
    ({"visitor_id": VISITOR, "categories": {"preferences": True}}, "Unknown cookie category"),  # not offered
    ({"visitor_id": VISITOR, "categories": {"statistics": "yes"}}, "true or false"),
    ({"visitor_id": VISITOR, "categories": {"necessary": False}}, "cannot be refused"),
    ({"visitor_id": "short", "categories": {"statistics": True}}, "visitor_id"),
    ({"visitor_id": VISITOR, "categories": {"statistics": True}, "email": "a@b.c"}, "Unknown field"),
    ({"visitor_id": VISITOR, "categories": {"statistics": True}, "notice_version": 9}, "notice version"),
    ({"visitor_id": VISITOR, "categories": {}}, "categories"),
])
def test_invalid_input_is_a_400_json_error_and_records_nothing(client, org, body, message):
    response = _post(client, org, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not ConsentEvent.objects.exists()


def test_an_oversize_body_is_refused_with_413(client, org, settings):
    settings.CONSENT_API_MAX_BODY = 4096
    body = json.dumps({"visitor_id": VISITOR, "categories": {"statistics": True}, "pad": "x" * 5000})
    response = _post(client, org, body)
    assert response.status_code == 413
    assert "too large" in response.json()["error"]
    assert not ConsentEvent.objects.exists()


def test_requests_past_the_rate_get_429(client, org, settings):
    settings.CONSENT_API_RATELIMIT = "3/m"
    statuses = [_post(client, org, {"visitor_id": VISITOR, "categories": {"statistics": True}}).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert "Too many" in _post(client, org, {"visitor_id": VISITOR, "categories": {}}).json()["error"]


def test_cors_answers_only_the_organisations_origins(client, org):
    allowed = _post(client, org, {"visitor_id": VISITOR, "categories": {"statistics": True}}, HTTP_ORIGIN=ORIGIN)
    assert allowed.status_code == 200 and allowed["Access-Control-Allow-Origin"] == ORIGIN
    preflight = client.options(f"/api/{org.slug}/cookie-consent/", HTTP_ORIGIN="https://shop.example.com",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "Sec-GPC" in preflight["Access-Control-Allow-Headers"]

    foreign = _post(client, org, {"visitor_id": "visitor-foreign-000000", "categories": {"statistics": True}},
                    HTTP_ORIGIN="https://evil.example.net")
    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign
    other_org = f.OrganisationFactory()
    f.ConsentPurposeFactory(organisation=other_org, cookie_category=CookieCategory.STATISTICS)
    assert _post(client, other_org, {"visitor_id": VISITOR, "categories": {"statistics": True}},
                 HTTP_ORIGIN=ORIGIN).status_code == 403
    assert not ConsentRecord.objects.filter(visitor_id="visitor-foreign-000000").exists()


def test_gpc_opts_out_of_marketing_and_records_that_it_was_applied(client, org):
    response = _post(client, org, {"visitor_id": VISITOR, "categories": {"statistics": True}}, HTTP_SEC_GPC="1")
    body = response.json()
    assert body["categories"]["marketing"] is False and body["categories"]["statistics"] is True
    assert body["gpc"] == {"signal": True, "applied": True, "conflict": False}
    event = ConsentEvent.objects.get(visitor_id=VISITOR, purpose__cookie_category="marketing")
    assert (event.kind, event.gpc_applied, event.gpc_conflict) == ("refused", True, False)


def test_gpc_overriding_a_yes_is_recorded_as_a_conflict(client, org):
    response = _post(client, org, {"visitor_id": VISITOR, "categories": {"marketing": True}}, HTTP_SEC_GPC="1")
    assert response.json()["gpc"] == {"signal": True, "applied": True, "conflict": True}
    assert _state()["marketing"] == "refused"
    event = ConsentEvent.objects.get(visitor_id=VISITOR)
    assert event.gpc_applied and event.gpc_conflict


def test_gpc_on_a_later_visit_withdraws_a_stored_yes_and_records_the_conflict(client, org):
    _post(client, org, {"visitor_id": VISITOR, "categories": {"marketing": True, "statistics": True}})
    response = client.get(f"/api/{org.slug}/cookie-consent/?visitor_id={VISITOR}", HTTP_SEC_GPC="1")
    assert response.json()["categories"] == {"necessary": True, "statistics": True, "marketing": False}
    assert response.json()["gpc"]["conflict"] is True
    assert _state() == {"statistics": "given", "marketing": "withdrawn"}
    last = ConsentEvent.objects.filter(visitor_id=VISITOR).order_by("-pk").first()
    assert (last.kind, last.gpc_applied, last.gpc_conflict) == ("withdrawn", True, True)


def test_a_get_without_gpc_or_stored_choice_records_nothing(client, org):
    response = client.get(f"/api/{org.slug}/cookie-consent/?visitor_id={VISITOR}")
    assert response.json()["categories"] == {"necessary": True, "statistics": False, "marketing": False}
    assert not ConsentEvent.objects.exists()
    assert services.cookie_choice_record(organisation=org, visitor_id=VISITOR, choices=None, gpc=False).recorded == []


def test_unknown_organisation_is_a_json_404(client):
    response = client.get("/api/nobody/cookie-consent/")
    assert response.status_code == 404 and "error" in response.json()
