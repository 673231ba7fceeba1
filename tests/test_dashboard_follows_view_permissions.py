"""The dashboard is built from what the signed-in user may view: the organisations table (each count column needs
view permission on what it counts), findings about records of models they may view, open breaches only with view
permission on Incident, the admin log only about models they may view, sweep alerts only with view permission on
sweep runs. A staff user with no permission sees none of it; an Auditor sees what an Auditor may view."""
from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

import privacy_registry
from privacy_registry import models as m
from retention.models import SweepRun
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    """A signed-in staff user (second factor done) with no permission at all; ``grant`` adds some."""
    user = django_user_model.objects.create_user(username="bare-staff", password="a-long-test-password-1",
                                                 is_staff=True)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    def grant(*codenames: str) -> None:
        for label in codenames:
            app_label, codename = label.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    client.user, client.grant = user, grant
    return client


@pytest.fixture
def everything():
    """One of each thing the dashboard shows, each with a name to look for."""
    organisation = f.OrganisationFactory(name="Zebulon Holdings AB")
    activity = f.ProcessingActivityFactory(organisation=organisation, name="Quokka newsletter")  # R001: no purpose
    vendor = f.VendorFactory(name="Wombat Mailer Inc", dpa_signed_on=None)
    f.RecipientFactory(activity=activity, vendor=vendor)
    f.IncidentFactory(organisation=organisation, title="Misdirected narwhal payslips",
                      detected_at=timezone.now() - timedelta(hours=10))
    staff = f.UserFactory()
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(m.Organisation),
        object_id=str(organisation.pk), object_repr="Logged ocelot organisation", action_flag=ADDITION,
    )
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(staff), object_id=str(staff.pk),
        object_repr="Logged pangolin user account", action_flag=ADDITION,
    )
    SweepRun.objects.create(as_of=timezone.localdate(), status=SweepRun.Status.FAILED, error="rule #1: ValueError",
                            finished_at=timezone.now())
    return {"activity": activity, "vendor": vendor}


def _page(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response, " ".join(response.content.decode().split())


NAMES = {
    "organisation": "Zebulon Holdings AB",
    "activity finding": "Quokka newsletter",
    "vendor finding": "Wombat Mailer Inc",
    "breach": "Misdirected narwhal payslips",
    "log about an organisation": "Logged ocelot organisation",
    "log about a user": "Logged pangolin user account",
    "sweep alert": "Sweep run #",
}


def test_a_staff_user_without_permissions_sees_none_of_it(staff_client, everything):
    response, html = _page(staff_client)

    for what, name in NAMES.items():
        assert name not in html, what
    dashboard = response.context["dashboard"]
    assert dashboard["organisations"] == [] and dashboard["findings"] == [] and dashboard["incidents"] == []
    assert dashboard["recent"] == [] and dashboard["alerts"] == []
    assert "Gaps in the register" not in html and "Breaches: 72-hour clock running" not in html
    assert "processing activities" not in html


def test_an_auditor_sees_what_an_auditor_may_view(auditor_client, everything):
    _response, html = _page(auditor_client)

    for what in ("organisation", "activity finding", "vendor finding", "breach", "log about an organisation",
                 "sweep alert"):
        assert NAMES[what] in html, what
    assert NAMES["log about a user"] not in html  # the auditor may not view user accounts


def test_a_superuser_sees_the_whole_admin_log(superuser_client, everything):
    _response, html = _page(superuser_client)
    assert NAMES["log about a user"] in html and NAMES["log about an organisation"] in html


def test_each_part_follows_its_own_permission(staff_client, everything):
    staff_client.grant("privacy_registry.view_incident")
    response, html = _page(staff_client)
    assert NAMES["breach"] in html
    assert "<h2>Organisations</h2>" not in html  # the breach names its organisation, the table is not shown
    for what in ("activity finding", "vendor finding", "log about an organisation", "sweep alert"):
        assert NAMES[what] not in html, what

    staff_client.grant("privacy_registry.view_processingactivity")
    response, html = _page(staff_client)
    findings = [x for group in response.context["dashboard"]["findings"] for x in group["findings"]]
    assert findings and {x.model_label for x in findings} == {"privacy_registry.processingactivity"}
    assert NAMES["activity finding"] in html and NAMES["vendor finding"] not in html
    assert NAMES["log about an organisation"] not in html
    assert "1 processing activities" in html and "<h2>Organisations</h2>" not in html

    staff_client.grant("privacy_registry.view_organisation", "retention.view_sweeprun")
    response, html = _page(staff_client)
    assert "<h2>Organisations</h2>" in html and NAMES["log about an organisation"] in html
    assert NAMES["sweep alert"] in html
    assert "<th>Systems</th>" not in html and "<th>Open incidents</th>" in html  # no view permission on systems
    assert NAMES["log about a user"] not in html


def test_the_registers_dashboard_modules_import_no_app_above_it():
    higher = {"subjects", "retention", "consent", "rights"}
    root = Path(privacy_registry.__file__).parent
    for name in ("dashboard.py", "selectors.py", "admin_site.py"):
        tree = ast.parse((root / name).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not {i.split(".")[0] for i in imported} & higher, name
