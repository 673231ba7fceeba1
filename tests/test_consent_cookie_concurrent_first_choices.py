"""Concurrent first banner choices for one visitor are all recorded: the second insert of the visitor's record loses
to the unique constraint, rolls back its savepoint and records its choice on the winner's row. Never a 5xx, and
no log line names the visitor id. A body nested deeper than the JSON parser goes is a 400, not a 500."""
from __future__ import annotations

import json
import logging
import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from consent import services
from consent.models import ConsentEvent, ConsentRecord, ConsentSettings, CookieCategory, NoticeVersion
from tests import factories as f
from tests.retention_support import ensure_countries

VISITOR = "racing-visitor-0123456789"
THREADS = 8


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    settings.CONSENT_API_RATELIMIT = "1000/m"
    cache.clear()
    yield
    cache.clear()


def _organisation():
    organisation = f.OrganisationFactory()
    for category in (CookieCategory.STATISTICS, CookieCategory.MARKETING):
        f.ConsentPurposeFactory(organisation=organisation, key=f"cookies-{category}", cookie_category=category,
                                name=f"{category} cookies")
    ConsentSettings.objects.create(organisation=organisation, allowed_origins="https://www.example.com")
    NoticeVersion.objects.create(organisation=organisation, number=1, texts={"en": "v1"}, sha256="0" * 64)
    return organisation


def _post(client, org, body):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(f"/api/{org.slug}/cookie-consent/", data=data, content_type="application/json")


def _logged_text(caplog) -> str:
    return "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_choices_for_one_visitor_are_all_recorded(caplog):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL: SQLite serialises writers on one file lock")
    ensure_countries()
    org = _organisation()
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def choose(n: int) -> None:
        try:
            # Half allow statistics, half refuse; the key order differs too, as browsers send it.
            categories = {"marketing": False, "statistics": n % 2 == 0}
            if n % 3 == 0:
                categories = dict(reversed(list(categories.items())))
            client = Client(raise_request_exception=False)
            barrier.wait(timeout=30)
            statuses.append(_post(client, org, {"visitor_id": VISITOR, "categories": categories}).status_code)
        except BaseException as exc:  # noqa: BLE001  (reported below, in the test's thread)
            errors.append(exc)
        finally:
            connections.close_all()

    caplog.set_level(logging.DEBUG)
    threads = [threading.Thread(target=choose, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert statuses == [200] * THREADS
    records = ConsentRecord.objects.filter(visitor_id=VISITOR)
    assert sorted(records.values_list("purpose__cookie_category", flat=True)) == ["marketing", "statistics"]
    events = ConsentEvent.objects.filter(visitor_id=VISITOR)
    # Every choice of every request is in the evidence: one event per category per request.
    assert events.filter(purpose__cookie_category="statistics").count() == THREADS
    assert events.filter(purpose__cookie_category="marketing").count() == THREADS
    # The record says what the last event says.
    last = events.filter(purpose__cookie_category="statistics").order_by("pk").last()
    assert records.get(purpose__cookie_category="statistics").state == {
        "given": "given", "refused": "refused", "withdrawn": "withdrawn"}[last.kind]
    assert VISITOR not in _logged_text(caplog)


@pytest.mark.django_db
def test_a_record_created_between_the_read_and_the_insert_takes_the_choice(client, monkeypatch, caplog):
    """The lost race, made deterministic on either database: another request inserts the visitor's record after
    this one looked and found none."""
    org = _organisation()
    statistics = org.consent_purposes.get(cookie_category=CookieCategory.STATISTICS)
    original = services._record_for_update
    raced: list[int] = []

    def look_then_lose_the_race(*, purpose, subject, visitor_id):
        found = original(purpose=purpose, subject=subject, visitor_id=visitor_id)
        if found is None and purpose == statistics and not raced:
            raced.append(1)
            services.cookie_choice_record(organisation=org, visitor_id=visitor_id, choices={"statistics": True},
                                          gpc=False)
        return found

    monkeypatch.setattr(services, "_record_for_update", look_then_lose_the_race)
    caplog.set_level(logging.DEBUG)

    response = _post(client, org, {"visitor_id": VISITOR, "categories": {"statistics": False, "marketing": True}})

    assert raced == [1]
    assert response.status_code == 200
    assert response.json()["categories"] == {"necessary": True, "statistics": False, "marketing": True}
    assert dict(ConsentRecord.objects.filter(visitor_id=VISITOR).values_list("purpose__cookie_category", "state")) \
        == {"statistics": "withdrawn", "marketing": "given"}
    assert list(ConsentEvent.objects.filter(visitor_id=VISITOR, purpose=statistics).order_by("pk")
                .values_list("kind", flat=True)) == ["given", "withdrawn"]
    assert ConsentRecord.history.filter(visitor_id=VISITOR, purpose_id=statistics.pk).count() == 2
    assert VISITOR not in _logged_text(caplog)


@pytest.mark.django_db
def test_a_person_giving_consent_twice_at_once_gets_one_record(monkeypatch):
    """consent_give goes through the same claim: a person's record created meanwhile takes the consent."""
    purpose = f.ConsentPurposeFactory(double_opt_in=False)
    subject = f.DataSubjectFactory(organisation=purpose.organisation)
    original = services._record_for_update
    raced: list[bool] = []

    def look_then_lose_the_race(**kwargs):
        found = original(**kwargs)
        if found is None and not raced:
            raced.append(True)
            services.consent_give(purpose=purpose, subject=subject, method="form", reason="the other click")
        return found

    monkeypatch.setattr(services, "_record_for_update", look_then_lose_the_race)
    record = services.consent_give(purpose=purpose, subject=subject, method="form")

    assert raced == [True]
    assert ConsentRecord.objects.filter(subject=subject, purpose=purpose).get().pk == record.pk
    assert record.state == ConsentRecord.State.GIVEN


@pytest.mark.django_db
def test_a_deeply_nested_body_under_the_size_cap_is_a_400_with_a_json_error(client, settings):
    org = _organisation()
    body = "[" * 2000 + "]" * 2000
    assert len(body) < settings.CONSENT_API_MAX_BODY

    response = _post(Client(raise_request_exception=False), org, body)

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]
    assert not ConsentRecord.objects.exists()
