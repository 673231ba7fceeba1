"""The consent report: every consent event in a date range (and optionally one purpose) as CSV, ids and codes
only, through the shared formula-safe writer; an Auditor may download it."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from consent import services
from consent.models import ConsentEvent, Method
from tests import factories as f

pytestmark = pytest.mark.django_db


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_report_lists_the_events_of_the_range_and_purpose_without_personal_data(auditor_client):
    purpose = f.ConsentPurposeFactory(name="=HYPERLINK(\"http://x\")")
    other = f.ConsentPurposeFactory(organisation=purpose.organisation)
    person = f.DataSubjectFactory(organisation=purpose.organisation)
    evidence = services.Evidence.of(ip="203.0.113.5", user_agent="Agent/1")
    record = services.consent_give(purpose=purpose, subject=person, method=Method.FORM, evidence=evidence)
    services.consent_withdraw(record=record, method=Method.EMAIL_LINK)
    services.consent_give(purpose=other, subject=person, method=Method.PAPER)
    # An event from long ago, outside the range.
    old = ConsentEvent.objects.filter(record=record).first()
    data = {fld.attname: getattr(old, fld.attname) for fld in ConsentEvent._meta.concrete_fields if fld.attname != "id"}
    ConsentEvent.objects.create(**{**data, "at": timezone.now() - timedelta(days=400)})
    today = timezone.localdate()

    response = auditor_client.get("/admin/consent/consentevent/report/", {
        "date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat(), "purpose": purpose.pk,
    })

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][:3] == ["event", "at", "organisation"]
    assert [(r[5], r[6], r[7]) for r in rows[1:]] == [("given", "form", str(person.pk)),
                                                      ("withdrawn", "email_link", str(person.pk))]
    assert all(r[3].startswith("'=") for r in rows[1:])  # formula neutralised
    text = response.content.decode("utf-8-sig")
    assert person.email not in text and "203.0.113" not in text and "Agent/1" not in text


def test_report_form_refuses_a_reversed_range(dpo_client):
    response = dpo_client.get("/admin/consent/consentevent/report/", {"date_from": "2026-02-01",
                                                                      "date_to": "2026-01-01"})
    assert response.status_code == 200 and "after its end" in response.content.decode()
