"""The admin index is the DPO's dashboard: activities, systems and open incidents per organisation, the
breaches whose 72-hour clock runs (with the deadline), and what changed lately."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from privacy_registry import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

Status = m.ProcessingActivity.Status


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # A staff user per test: the production hasher would make the module slow, not safer.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _dashboard(client) -> tuple[object, str]:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response, " ".join(response.content.decode().split())


def _section(html: str, heading: str, next_heading: str) -> str:
    return html[html.index(heading):html.index(next_heading)]


def _row_cells(html: str, name: str) -> list[str]:
    """The cells of the organisations table row that names `name`, as text."""
    row = next(row for row in re.findall(r"<tr>(.*?)</tr>", html) if f">{name}</a>" in row)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]


def test_each_organisation_shows_its_activities_systems_and_open_incidents(dpo_client):
    busy = f.OrganisationFactory(name="Busy AB")
    quiet = f.OrganisationFactory(name="Quiet AB")
    for status in (Status.ACTIVE, Status.ACTIVE, Status.DRAFT, Status.RETIRED):
        f.ProcessingActivityFactory(organisation=busy, status=status)
    f.SystemFactory.create_batch(3, organisation=busy)
    f.IncidentFactory(organisation=busy)
    f.IncidentFactory(organisation=busy, status=m.Incident.Status.CLOSED)

    _response, html = _dashboard(dpo_client)

    # active, drafts, retired, systems, open incidents
    assert _row_cells(html, "Busy AB") == ["Busy AB", "2", "1", "1", "3", "1"]
    assert _row_cells(html, "Quiet AB") == ["Quiet AB", "0", "0", "0", "0", "0"]
    activities = reverse("admin:privacy_registry_processingactivity_changelist")
    assert f'href="{activities}?organisation__id__exact={quiet.pk}"' in html
    assert "4 processing activities, 2 active." in html


def test_a_breach_awaiting_notification_is_listed_with_its_deadline(dpo_client):
    detected = timezone.now() - timedelta(hours=20)
    running = f.IncidentFactory(title="Misdirected payslips", detected_at=detected, risk=m.Incident.Risk.HIGH)
    overdue = f.IncidentFactory(title="Ransomware on file server", detected_at=timezone.now() - timedelta(hours=80))

    response, html = _dashboard(dpo_client)

    clocks = _section(html, "Breaches: 72-hour clock running", "Recently changed")
    with translation.override("en"):
        deadline = formats.date_format(timezone.localtime(running.notification_deadline), "DATETIME_FORMAT")
    assert "Misdirected payslips" in clocks
    assert reverse("admin:privacy_registry_incident_change", args=[running.pk]) in clocks
    assert f'<td class="clock-running">{deadline} (' in clocks
    assert "Ransomware on file server" in clocks
    overdue_row = next(row for row in re.findall(r"<tr>(.*?)</tr>", clocks) if overdue.title in row)
    assert 'class="clock-overdue"' in overdue_row
    # the oldest deadline first
    assert clocks.index("Ransomware on file server") < clocks.index("Misdirected payslips")
    assert response.context["dashboard"]["incidents"] == [overdue, running]


def test_a_notified_breach_or_one_unlikely_to_harm_is_not_listed(dpo_client):
    detected = timezone.now() - timedelta(hours=30)
    f.IncidentFactory(title="Notified in time", detected_at=detected, authority_notified_at=timezone.now())
    f.IncidentFactory(title="Encrypted USB stick lost", detected_at=detected, risk=m.Incident.Risk.UNLIKELY)
    f.IncidentFactory(title="Closed without notice", detected_at=detected, status=m.Incident.Status.CLOSED)

    response, html = _dashboard(dpo_client)

    clocks = _section(html, "Breaches: 72-hour clock running", "Recently changed")
    assert "No breach awaits notification." in clocks
    for title in ("Notified in time", "Encrypted USB stick lost", "Closed without notice"):
        assert title not in clocks
    assert response.context["dashboard"]["incidents"] == []


def test_recent_changes_name_who_changed_what(dpo_client):
    dpo_client.post(reverse("admin:privacy_registry_datasubjectcategory_add"), {"name_en": "Whistle-blowers"})
    category = m.DataSubjectCategory.objects.get(name="Whistle-blowers")

    _response, html = _dashboard(dpo_client)

    recent = html[html.index("Recently changed"):]
    change_url = reverse("admin:privacy_registry_datasubjectcategory_change", args=[category.pk])
    entry = f'{dpo_client.user.username} — Data subject category: <a href="{change_url}">Whistle-blowers</a> (added)'
    assert entry in recent


def test_an_empty_register_says_so(dpo_client):
    _response, html = _dashboard(dpo_client)

    assert "No organisation yet." in html
    assert "No breach awaits notification." in html
    assert "Nothing yet." in html


def test_register_gaps_list_at_most_n_findings_per_organisation_but_count_them_all(dpo_client, monkeypatch):
    from privacy_registry import selectors
    from privacy_registry.checks import run_checks

    monkeypatch.setattr(selectors, "DASHBOARD_FINDINGS_PER_ORGANISATION", 3)
    busy = f.OrganisationFactory(name="Busy AB", slug="busy")
    for n in range(5):  # no purpose: R001 each, and whatever else the checks find
        f.ProcessingActivityFactory(organisation=busy, name=f"Gappy {n}", retention_statement="One year.")
    every = [x for x in run_checks() if x.organisation_id == busy.pk]
    assert len(every) > 3

    response, html = _dashboard(dpo_client)

    [group] = [g for g in response.context["dashboard"]["findings"] if g["organisation"] == busy]
    assert len(group["findings"]) == 3
    assert group["findings"] == sorted(every, key=lambda x: x.sort_key())[:3]  # the most serious first
    assert group["total"] == len(every) and group["more"] == len(every) - 3
    assert sum(group["counts"].values()) == len(every)
    assert group["counts"]["error"] == sum(1 for x in every if x.is_error) >= 5
    assert group["counts_by_check"]["R001"] == 5
    assert sum(group["counts_by_check"].values()) == len(every)
    gaps = _section(html, "Gaps in the register", "Breaches: 72-hour clock running")
    assert gaps.count("<td class=\"finding-") == 3
    assert f"Showing the first 3 of {len(every)}; {len(every) - 3} more" in gaps
    assert "manage.py registry_check --organisation busy" in gaps
    activities = reverse("admin:privacy_registry_processingactivity_changelist")
    assert f'href="{activities}?organisation__id__exact={busy.pk}"' in gaps

    # Fixed: gone at once, from the list and from the counts.
    for activity in busy.activities.all():
        f.PurposeFactory(activity=activity, legal_basis=m.LegalBasis.CONTRACT)
    response, _html = _dashboard(dpo_client)
    groups = [g for g in response.context["dashboard"]["findings"] if g["organisation"] == busy]
    assert groups and "R001" not in groups[0]["counts_by_check"]
    assert groups[0]["total"] == len(every) - 5
