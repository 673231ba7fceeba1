"""Every admin with history, in every app, shares one revert guard: reading the history never lets a user write
through simple-history's version page. An Auditor (view only) and Compliance (no right to rewrite history, and
e.g. no right to place a hold) get 403 and nothing is written; the DPO's revert goes through, which proves the
posted version would have been saved."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from privacy_registry.admin_history import GuardedHistoryAdmin
from tests import factories as f
from tests.conftest import _staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(django_user_model):
    """A superuser on a client of its own (the role fixtures share pytest-django's one client)."""
    return _staff_client(Client(), django_user_model, group=None, superuser=True)


def _history_admins():
    return sorted(
        ((model, model_admin) for model, model_admin in admin.site._registry.items()
         if isinstance(model_admin, SimpleHistoryAdmin)),
        key=lambda pair: pair[0]._meta.label,
    )


def _factory_for(model):
    for value in vars(f).values():
        meta = getattr(value, "_meta", None)
        if getattr(meta, "model", None) is model and not getattr(meta, "abstract", False):
            return value
    raise AssertionError(
        f"tests/factories.py has no factory for {model._meta.label}: add one, so its revert is tested"
    )


def _version_url(obj):
    version = obj.history.order_by("-history_id").first()
    assert version is not None, f"{obj._meta.label} saved no history row"
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version.history_id])


def _posted_version(client, url) -> dict:
    """The version page's form, posted back as a browser would (the version's own values)."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = field.widget
        widget = getattr(widget, "widget", widget)  # inside the admin's related-object wrapper
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


def _written(obj) -> tuple:
    model = type(obj)
    own_versions = model.history.filter(**{model._meta.pk.attname: obj.pk})
    return (model.objects.count(), model.history.count(), own_versions.count())


def test_every_history_admin_uses_the_guarded_base():
    unguarded = [model._meta.label for model, model_admin in _history_admins()
                 if not isinstance(model_admin, GuardedHistoryAdmin)]
    assert _history_admins(), "no admin with history found"
    assert unguarded == []


@pytest.mark.parametrize("role_client", ["auditor_client", "compliance_client"])
def test_read_only_roles_cannot_revert_any_history_admin(request, role_client, reader):
    client = request.getfixturevalue(role_client)
    refused = []
    for model, _model_admin in _history_admins():
        obj = _factory_for(model)()
        url = _version_url(obj)
        data = _posted_version(reader, url)
        before = _written(obj)
        response = client.post(url, data)
        if response.status_code != 403 or _written(obj) != before:
            refused.append((model._meta.label, response.status_code))
    assert refused == []


def test_auditor_cannot_shorten_a_retention_rule_through_revert(auditor_client, reader):
    rule = f.RetentionRuleFactory(period_amount=2, period_unit="years")
    url = _version_url(rule)
    data = {**_posted_version(reader, url), "period_amount": "1", "period_unit": "days"}
    assert auditor_client.post(url, data).status_code == 403
    rule.refresh_from_db()
    assert (rule.period_amount, rule.period_unit) == (2, "years")


def test_compliance_cannot_place_a_legal_hold_through_revert(compliance_client, reader):
    hold = f.LegalHoldFactory()
    model = type(hold)
    url = _version_url(hold)
    assert compliance_client.post(url, _posted_version(reader, url)).status_code == 403
    assert model.objects.count() == 1


def test_dpo_reverts_a_retention_rule_with_a_reason(dpo_client, reader):
    rule = f.RetentionRuleFactory(period_amount=2, period_unit="years")
    url = _version_url(rule)
    data = {**_posted_version(reader, url), "period_amount": "3", "change_reason": "statute changed, ticket 42"}
    response = dpo_client.post(url, data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.period_amount == 3
    latest = rule.history.order_by("-history_id").first()
    assert latest.history_change_reason == "statute changed, ticket 42"
    assert latest.history_user == dpo_client.user


def test_change_form_reason_is_written_into_the_history(dpo_client):
    subject = f.DataSubjectFactory()
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    page = dpo_client.get(url)
    assert "change_reason" in page.context["adminform"].form.fields
    data = _posted_version(dpo_client, url)
    data.update({"first_name": "Renamed", "change_reason": "subject asked by phone, ticket 7"})
    for prefix in ("engagements", "system_records"):  # the inlines' management forms, empty
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    latest = subject.history.order_by("-history_id").first()
    assert latest.history_change_reason == "subject asked by phone, ticket 7"


def test_reader_sees_no_reason_field(auditor_client):
    rule = f.RetentionRuleFactory()
    page = auditor_client.get(reverse("admin:retention_retentionrule_change", args=[rule.pk]))
    assert page.status_code == 200
    assert b'name="change_reason"' not in page.content
