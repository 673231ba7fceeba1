"""Restricting processing (Art. 18) has its own permission, ``subjects.restrict_datasubject``, apart from erasure's:
the subject page's "Restrict processing now", a change of a subject's state to or from restricted, and carrying out
a restriction request each ask for it. The DPO's role has it; Compliance and the Auditor do not; the migration that
created it gave it to whoever held the erase permission."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.admin import helpers
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from privacy_registry.roles import AUDITOR, COMPLIANCE, DPO
from retention.models import ErasureRecord
from rights.models import RequestType, RightsRequest, Status
from subjects.models import DataSubject
from tests import factories as f
from tests.test_permission_matrix import change_form_post_data

pytestmark = pytest.mark.django_db

SUBJECTS = reverse("admin:subjects_datasubject_changelist")
REQUESTS = reverse("admin:rights_rightsrequest_changelist")
ERASE = ("retention", "erase_datasubject")
RESTRICT = ("subjects", "restrict_datasubject")
SUBJECT_EDITING = [("subjects", "view_datasubject"), ("subjects", "change_datasubject")]
REQUEST_DECIDING = [("rights", "view_rightsrequest"), ("rights", "change_rightsrequest"),
                    ("rights", "decide_rightsrequest")]


def _perm(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _client_with(client, django_user_model, perms) -> object:
    user = django_user_model.objects.create_user(username="staff", password="a-long-test-password-1", is_staff=True)
    user.user_permissions.add(*[_perm(*p) for p in perms])
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    client.user = user
    return client


def _buttons(client, subject) -> set[str]:
    html = client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk])).content.decode()
    return {name for name in ("erase_now", "restrict_now") if f'id="subject-action-{name}"' in html}


def _restrict_now(client, subject):
    return client.post(SUBJECTS, {"action": "restrict_now", helpers.ACTION_CHECKBOX_NAME: subject.pk,
                                  "from_subject_page": "1", "post": "yes"})


def test_the_dpo_role_has_it_and_compliance_and_the_auditor_do_not():
    def holds(role):
        return Group.objects.get(name=role).permissions.filter(
            content_type__app_label="subjects", codename="restrict_datasubject").exists()

    assert holds(DPO)
    assert not holds(COMPLIANCE) and not holds(AUDITOR)


def test_the_erase_permission_alone_no_longer_restricts(client, django_user_model):
    subject = f.DataSubjectFactory()
    eraser = _client_with(client, django_user_model, [*SUBJECT_EDITING, ERASE])

    assert _buttons(eraser, subject) == {"erase_now"}
    _restrict_now(eraser, subject)

    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.ACTIVE
    assert not ErasureRecord.objects.filter(subject=subject).exists()


def test_the_restrict_permission_alone_restricts_through_the_engine_but_does_not_erase(client, django_user_model):
    subject = f.DataSubjectFactory()
    restrictor = _client_with(client, django_user_model, [*SUBJECT_EDITING, RESTRICT])

    assert _buttons(restrictor, subject) == {"restrict_now"}
    _restrict_now(restrictor, subject)

    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.RESTRICTED
    assert ErasureRecord.objects.get(subject=subject).action == "restrict"


def _change_state(client, subject, state: str):
    page = client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))
    data = change_form_post_data(page)
    data["state"] = state
    return client.post(reverse("admin:subjects_datasubject_change", args=[subject.pk]), data)


def test_compliance_cannot_restrict_by_editing_the_state(compliance_client):
    subject = f.DataSubjectFactory()

    response = _change_state(compliance_client, subject, DataSubject.State.RESTRICTED)

    assert response.status_code == 200  # the form again, with the error on the state
    assert "restrict_permission" in {e.code for e in response.context["adminform"].form.errors.as_data()["state"]}
    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.ACTIVE


def test_compliance_cannot_lift_a_restriction_by_editing_the_state(compliance_client):
    subject = f.DataSubjectFactory(state=DataSubject.State.RESTRICTED)

    _change_state(compliance_client, subject, DataSubject.State.ACTIVE)

    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.RESTRICTED


def test_the_dpo_can_restrict_by_editing_the_state(dpo_client):
    subject = f.DataSubjectFactory()

    response = _change_state(dpo_client, subject, DataSubject.State.RESTRICTED)

    assert response.status_code == 302
    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.RESTRICTED


def _restriction_request(subject) -> RightsRequest:
    return f.RightsRequestFactory(
        organisation=subject.organisation, subject=subject, email=subject.email, type=RequestType.RESTRICTION,
        status=Status.AWAITING_APPROVAL, verified_at=timezone.now(), due_on=timezone.localdate(),
    )


def test_carrying_out_a_restriction_request_needs_the_restrict_permission(client, django_user_model):
    subject = f.DataSubjectFactory()
    request = _restriction_request(subject)
    decider = _client_with(client, django_user_model, REQUEST_DECIDING)

    response = decider.post(REQUESTS, {"action": "approve_and_execute", "_selected_action": [request.pk],
                                       "post": "yes"}, follow=True)

    assert "needs the permission to restrict" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.AWAITING_APPROVAL
    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.ACTIVE


def test_a_decider_with_the_restrict_permission_carries_it_out(client, django_user_model,
                                                                django_capture_on_commit_callbacks):
    subject = f.DataSubjectFactory()
    request = _restriction_request(subject)
    decider = _client_with(client, django_user_model, [*REQUEST_DECIDING, RESTRICT])

    with django_capture_on_commit_callbacks(execute=True):
        decider.post(REQUESTS, {"action": "approve_and_execute", "_selected_action": [request.pk], "post": "yes"})

    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert DataSubject.objects.get(pk=subject.pk).state == DataSubject.State.RESTRICTED


def test_the_migration_gives_it_to_every_holder_of_the_erase_permission(django_user_model):
    migration = importlib.import_module("subjects.migrations.0003_restrict_permission")
    erasers = Group.objects.create(name="Erasers")
    erasers.permissions.add(_perm(*ERASE))
    user = django_user_model.objects.create_user(username="eraser")
    user.user_permissions.add(_perm(*ERASE))
    bystander = django_user_model.objects.create_user(username="bystander")
    restrict = _perm(*RESTRICT)
    restrict.group_set.clear()
    restrict.user_set.clear()

    migration.grant(django_apps, None)

    assert set(restrict.group_set.values_list("name", flat=True)) == {"Erasers", DPO}
    assert list(restrict.user_set.all()) == [user]
    assert not bystander.user_permissions.exists()
