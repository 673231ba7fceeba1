"""Publishing the privacy notice is a DPO decision with its own permission, ``consent.publish_noticeversion``: the
DPO's role has it, Compliance (which holds every ``add_*``) and the Auditor do not. Compliance previews the notice
but is refused publishing, and nothing is published; the DPO publishes. The migration that created the permission
gave it to the DPO and to holders of the add permission outside the three roles."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission

from consent.models import NoticeVersion
from privacy_registry.models import LegalBasis
from privacy_registry.roles import AUDITOR, COMPLIANCE, DPO
from tests import factories as f

pytestmark = pytest.mark.django_db

PUBLISH = "publish_noticeversion"


@pytest.fixture
def org():
    organisation = f.OrganisationFactory(name="Notice AB", slug="notice-ab")
    activity = f.ProcessingActivityFactory(organisation=organisation, name="Customers")
    f.PurposeFactory(activity=activity, description="Deliver the orders", legal_basis=LegalBasis.CONTRACT)
    return organisation


def _url(org) -> str:
    return f"/admin/consent/noticeversion/preview/{org.pk}/"


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="consent", codename=codename)


def test_only_the_dpo_role_holds_the_publish_permission():
    holders = set(_perm(PUBLISH).group_set.values_list("name", flat=True))
    assert DPO in holders
    assert holders.isdisjoint({COMPLIANCE, AUDITOR})
    # Compliance still adds records as before: only publishing left its hands.
    assert Group.objects.get(name=COMPLIANCE).permissions.filter(codename="add_noticeversion").exists()


def test_compliance_previews_but_is_refused_publishing(org, compliance_client):
    page = compliance_client.get(_url(org))
    assert page.status_code == 200 and page.context["may_publish"] is False
    assert "Deliver the orders" in page.content.decode()

    refused = compliance_client.post(_url(org), {"note": "first", "acknowledge_gaps": "on"})

    assert refused.status_code == 403
    assert not NoticeVersion.objects.exists()


def test_the_dpo_publishes(org, dpo_client):
    assert dpo_client.get(_url(org)).context["may_publish"] is True

    response = dpo_client.post(_url(org), {"note": "first", "acknowledge_gaps": "on"})

    assert response.status_code == 302
    version = NoticeVersion.objects.get()
    assert version.organisation == org and version.published_by == dpo_client.user


def test_the_migration_gives_it_to_the_dpo_and_to_holders_of_add_outside_the_roles(django_user_model):
    migration = importlib.import_module("consent.migrations.0004_publish_notice_permission")
    editors = Group.objects.create(name="Notice editors")
    editors.permissions.add(_perm("add_noticeversion"))
    user = django_user_model.objects.create_user(username="editor")
    user.user_permissions.add(_perm("add_noticeversion"))
    bystander = django_user_model.objects.create_user(username="bystander")
    publish = _perm(PUBLISH)
    publish.group_set.clear()
    publish.user_set.clear()

    migration.grant(django_apps, None)

    assert set(publish.group_set.values_list("name", flat=True)) == {"Notice editors", DPO}
    assert list(publish.user_set.all()) == [user]
    assert not bystander.user_permissions.exists()
