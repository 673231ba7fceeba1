"""The nightly purge of pseudonymous visitors' consent events older than CONSENT_ANONYMOUS_EVENTS_DAYS: people's
events are never touched; small chunks prove the batching; an interruption leaves whole chunks and a rerun
finishes; a dry run counts and changes nothing; beat schedules it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.utils import timezone

from consent import services, tasks
from consent.models import ConsentEvent, ConsentRecord, CookieCategory, Method
from privacy_registry.celery import app
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _visitor_choices(org, count: int, *, days_ago: int) -> list[str]:
    visitors = [f"visitor-{days_ago:04d}-{n:012d}" for n in range(count)]
    for visitor in visitors:
        services.cookie_choice_record(organisation=org, visitor_id=visitor, choices={"statistics": True}, gpc=False)
    when = NOW - timedelta(days=days_ago)
    ConsentRecord.objects.filter(visitor_id__in=visitors).update(updated_at=when)
    # Events are append-only: their time is set as they are written, so age them by re-creating them old.
    for event in ConsentEvent.objects.filter(visitor_id__in=visitors):
        data = {field.attname: getattr(event, field.attname) for field in ConsentEvent._meta.concrete_fields
                if field.attname != "id"}
        event.delete()
        ConsentEvent.objects.create(**{**data, "at": when})
    return visitors


@pytest.fixture
def setup():
    org = f.OrganisationFactory()
    purpose = f.ConsentPurposeFactory(organisation=org, cookie_category=CookieCategory.STATISTICS)
    old = _visitor_choices(org, 5, days_ago=500)
    recent = _visitor_choices(org, 2, days_ago=10)
    person = f.DataSubjectFactory(organisation=org)
    services.consent_give(purpose=purpose, subject=person, method=Method.FORM)
    ConsentRecord.objects.filter(subject=person).update(updated_at=NOW - timedelta(days=900))
    return old, recent, person


def _left(visitors):
    return ConsentEvent.objects.filter(visitor_id__in=visitors).count()


def test_old_visitor_events_and_records_go_recent_ones_and_peoples_stay(setup, settings):
    settings.CONSENT_ANONYMOUS_EVENTS_DAYS = 395
    old, recent, person = setup
    report = services.anonymous_events_purge(now=NOW)
    assert (report.events, report.records) == (5, 5)
    assert _left(old) == 0 and not ConsentRecord.objects.filter(visitor_id__in=old).exists()
    assert _left(recent) == 2 and ConsentRecord.objects.filter(visitor_id__in=recent).count() == 2
    assert ConsentEvent.objects.filter(subject=person).count() == 1
    assert not ConsentRecord.history.filter(visitor_id__in=old).exists()


def test_small_chunks_prove_the_batching(setup):
    old, _recent, _person = setup
    report = services.anonymous_events_purge(now=NOW, days=395, chunk_size=2)
    # 5 events in chunks of 2, 2, 1 and 5 records likewise: the short chunk ends each pass.
    assert report.chunks == 6 and (report.events, report.records) == (5, 5)
    assert _left(old) == 0


def test_an_interrupted_purge_leaves_whole_chunks_and_a_rerun_finishes(setup, monkeypatch):
    old, recent, _person = setup
    original = services._purge_chunk
    calls = {"n": 0}

    def failing(model, ids):
        calls["n"] += 1
        if calls["n"] == 2:
            deleted = original(model, ids)
            raise RuntimeError(f"killed after deleting {deleted}")
        return original(model, ids)

    monkeypatch.setattr(services, "_purge_chunk", failing)
    with pytest.raises(RuntimeError):
        services.anonymous_events_purge(now=NOW, days=395, chunk_size=2)
    assert _left(old) == 3  # the first chunk committed, the second rolled back whole

    monkeypatch.setattr(services, "_purge_chunk", original)
    services.anonymous_events_purge(now=NOW, days=395, chunk_size=2)
    assert _left(old) == 0 and _left(recent) == 2


def test_a_dry_run_counts_and_changes_nothing(setup):
    old, _recent, _person = setup
    report = services.anonymous_events_purge(now=NOW, days=395, dry_run=True)
    assert (report.events, report.records, report.dry_run) == (5, 5, True)
    assert _left(old) == 5


def test_beat_runs_the_purge_nightly_with_no_payload():
    entry = app.conf.beat_schedule["consent-anonymous-events-purge"]
    assert entry["task"] == "consent.anonymous_events_purge" == tasks.anonymous_events_purge.name
    assert entry["schedule"] == crontab(minute="45", hour="3")
    assert "args" not in entry and "kwargs" not in entry
