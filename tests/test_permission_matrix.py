"""Who may do what in the admin: DPO / Compliance / Auditor × view, add, change, delete, history, revert.

DPO: everything but deleting the audit trail. Compliance: view, add and change; never deletes a register
record; reads the history but does not revert. Auditor: reads everything, history included, and changes
nothing. Each refusal is checked by its effect: the row is still there, the value unchanged.
"""
from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal
from django.db import models
from django.urls import reverse

from privacy_registry import models as m
from privacy_registry.roles import AUDITOR, COMPLIANCE, DPO, ROLES
from tests.test_admin_query_bounds import FACTORIES, REGISTER_ADMINS

pytestmark = pytest.mark.django_db

CLIENT_FIXTURE = {DPO: "dpo_client", COMPLIANCE: "compliance_client", AUDITOR: "auditor_client"}
NEW_VALUE = "Changed through the admin"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # A staff user per test: the production hasher would make the module slow, not safer.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _id(model_admin) -> str:
    return model_admin.model.__name__


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _client(request, role):
    return request.getfixturevalue(CLIENT_FIXTURE[role])


def _form_fields_data(form) -> dict:
    """What a browser would send for this form as rendered: every field at its current value."""
    data = {}
    for bound in form:
        widget = getattr(bound.field.widget, "widget", bound.field.widget)  # inside the related-object wrapper
        value = bound.value()
        if bound.field.disabled or isinstance(widget, forms.FileInput):
            continue
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, (part, sub_widget) in enumerate(zip(parts, widget.widgets, strict=True)):
                data[f"{bound.html_name}{widget.widgets_names[index]}"] = sub_widget.format_value(part) or ""
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, (forms.SelectMultiple, forms.CheckboxSelectMultiple)):
            data[bound.html_name] = [str(v) for v in value or []]
        elif isinstance(widget, forms.Select):
            data[bound.html_name] = "" if value is None else str(value)
        else:
            data[bound.html_name] = widget.format_value(value) or ""
    return data


def change_form_post_data(response) -> dict:
    """The POST a browser would send back from an admin change form, management forms of the inlines included."""
    data = _form_fields_data(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):  # the revert form has none
        formset = inline.formset
        data.update(_form_fields_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_fields_data(form))
    data["_save"] = "Save"
    return data


def form_name(model, field: str) -> str:
    """The admin form's name for ``field``: a register text is entered per language, so its English column."""
    from privacy_registry.translated import every_language

    return every_language(model, [field])[0]


def _text_field(model) -> str:
    """A plain text field of the model (no choices, not unique) that a change can set to NEW_VALUE."""
    for field in model._meta.fields:
        plain = type(field) in (models.CharField, models.TextField)
        if plain and field.editable and not (field.primary_key or field.unique or field.choices):
            return field.name
    raise AssertionError(f"{model._meta.label} has no plain text field to change")


# --- the groups themselves ---------------------------------------------------------------------------


def test_the_three_groups_exist_after_migrate():
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
def test_each_register_model_has_its_permissions_in_the_groups_after_migrate(model_admin):
    name = model_admin.model._meta.model_name
    granted = {
        role: set(Group.objects.get(name=role).permissions.values_list("codename", flat=True)) for role in ROLES
    }

    assert {f"{action}_{name}" for action in ("view", "add", "change", "delete")} <= granted[DPO]
    assert {f"view_historical{name}", f"change_historical{name}"} <= granted[DPO]
    assert {f"view_{name}", f"add_{name}", f"change_{name}", f"view_historical{name}"} <= granted[COMPLIANCE]
    assert f"delete_{name}" not in granted[COMPLIANCE]
    assert f"change_historical{name}" not in granted[COMPLIANCE]
    assert {f"view_{name}", f"view_historical{name}"} <= granted[AUDITOR]
    assert {f"add_{name}", f"change_{name}", f"delete_{name}"}.isdisjoint(granted[AUDITOR])


def test_permissions_of_a_model_added_later_join_the_groups_on_the_next_migrate():
    # A model that arrives with a later migration brings new permissions; no migration touches the groups.
    content_type = ContentType.objects.get_for_model(m.Vendor)
    for action in ("view", "add", "delete"):
        Permission.objects.create(codename=f"{action}_laterarrival", name=f"Can {action} later arrival",
                                  content_type=content_type)

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_laterarrival", "add_laterarrival", "delete_laterarrival"} <= codenames(DPO)
    assert {"view_laterarrival", "add_laterarrival"} <= codenames(COMPLIANCE)
    assert "delete_laterarrival" not in codenames(COMPLIANCE)
    assert codenames(AUDITOR) & {"view_laterarrival", "add_laterarrival", "delete_laterarrival"} == {
        "view_laterarrival"
    }


@pytest.mark.parametrize("role", ROLES)
def test_no_role_may_delete_history_rows(role, request):
    user = _client(request, role).user
    for model_admin in REGISTER_ADMINS:
        assert not user.has_perm(f"privacy_registry.delete_historical{model_admin.model._meta.model_name}")
    assert not any(model._meta.model_name.startswith("historical") for model in admin.site._registry)


# --- view -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
def test_every_role_sees_every_changelist_record_and_history_and_only_editors_get_a_save_button(
    model_admin, role, request
):
    model = model_admin.model
    client = _client(request, role)
    obj = FACTORIES[model]()

    listed = client.get(_url(model, "changelist"))
    shown = client.get(_url(model, "change", obj.pk))
    history = client.get(_url(model, "history", obj.pk))

    assert listed.status_code == 200
    assert obj in listed.context["cl"].queryset
    assert shown.status_code == 200
    assert shown.context["original"] == obj
    editor = role != AUDITOR
    assert shown.context["has_change_permission"] is editor
    assert ('name="_save"' in shown.content.decode()) is editor
    assert history.status_code == 200
    assert [record.pk for record in history.context["page_obj"]] == list(
        obj.history.values_list("history_id", flat=True)
    )


# --- add ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
@pytest.mark.parametrize(("role", "allowed"), [(DPO, True), (COMPLIANCE, True), (AUDITOR, False)])
def test_only_dpo_and_compliance_open_the_add_form(model_admin, role, allowed, request):
    client = _client(request, role)
    before = model_admin.model.objects.count()

    form = client.get(_url(model_admin.model, "add"))
    posted = client.post(_url(model_admin.model, "add"), {"_save": "Save"})

    assert form.status_code == (200 if allowed else 403)
    if not allowed:
        assert posted.status_code == 403
    assert model_admin.model.objects.count() == before


@pytest.mark.parametrize(("role", "allowed"), [(DPO, True), (COMPLIANCE, True), (AUDITOR, False)])
def test_only_dpo_and_compliance_add_a_record(role, allowed, request):
    client = _client(request, role)

    response = client.post(_url(m.DataSubjectCategory, "add"), {"name_en": "Whistle-blowers", "_save": "Save"})

    assert response.status_code == (302 if allowed else 403)
    assert m.DataSubjectCategory.objects.filter(name="Whistle-blowers").exists() is allowed


# --- change ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
@pytest.mark.parametrize(("role", "allowed"), [(DPO, True), (COMPLIANCE, True), (AUDITOR, False)])
def test_only_dpo_and_compliance_change_a_record(model_admin, role, allowed, request, superuser_client):
    model = model_admin.model
    obj = FACTORIES[model]()
    field = _text_field(model)
    original = getattr(obj, field)
    # The form as an editor sees it, so the Auditor's POST is a complete one and fails on permission alone.
    data = change_form_post_data(superuser_client.get(_url(model, "change", obj.pk)))
    data[form_name(model, field)] = NEW_VALUE
    client = _client(request, role)

    response = client.post(_url(model, "change", obj.pk), data)

    obj.refresh_from_db()
    if allowed:
        assert response.status_code == 302, response.context and response.context["errors"]
        assert getattr(obj, field) == NEW_VALUE
    else:
        assert response.status_code == 403
        assert getattr(obj, field) == original


# --- delete ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
@pytest.mark.parametrize(("role", "allowed"), [(DPO, True), (COMPLIANCE, False), (AUDITOR, False)])
def test_only_the_dpo_deletes_a_record(model_admin, role, allowed, request):
    model = model_admin.model
    obj = FACTORIES[model]()
    client = _client(request, role)

    confirmation = client.get(_url(model, "delete", obj.pk))
    response = client.post(_url(model, "delete", obj.pk), {"post": "yes"})

    assert confirmation.status_code == (200 if allowed else 403)
    assert response.status_code == (302 if allowed else 403)
    assert model.objects.filter(pk=obj.pk).exists() is not allowed


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
@pytest.mark.parametrize(("role", "allowed"), [(DPO, True), (COMPLIANCE, False), (AUDITOR, False)])
def test_only_the_dpo_has_the_bulk_delete_action(model_admin, role, allowed, request):
    model = model_admin.model
    obj = FACTORIES[model]()
    client = _client(request, role)
    changelist = _url(model, "changelist")

    listed = client.get(changelist)
    action_form = listed.context["action_form"]
    actions = {name for name, _label in action_form.fields["action"].choices} if action_form else set()
    client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})

    assert ("delete_selected" in actions) is allowed
    assert model.objects.filter(pk=obj.pk).exists() is not allowed


# --- history and revert ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
@pytest.mark.parametrize(("role", "allowed"), [(DPO, True), (COMPLIANCE, False), (AUDITOR, False)])
def test_only_the_dpo_reverts_to_a_historical_version(model_admin, role, allowed, request):
    model = model_admin.model
    obj = FACTORIES[model]()
    field = _text_field(model)
    first_version = obj.history.earliest()
    original = getattr(obj, field)
    setattr(obj, field, NEW_VALUE)
    obj.save()
    client = _client(request, role)
    revert_url = _url(model, "simple_history", obj.pk, first_version.history_id)

    page = client.get(revert_url)
    data = _form_fields_data(page.context["adminform"].form)
    response = client.post(revert_url, data)

    obj.refresh_from_db()
    assert page.status_code == 200
    assert page.context["revert_disabled"] is not allowed
    if allowed:
        assert response.status_code == 302
        assert getattr(obj, field) == original
    else:
        assert response.status_code == 403
        assert getattr(obj, field) == NEW_VALUE
