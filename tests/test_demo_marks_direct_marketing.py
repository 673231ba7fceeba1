"""The demo's register marks the purposes of the three seed organisations that are direct marketing (newsletters,
marketing e-mails and calls, advertising), so an objection to direct marketing in the demo finds what to stop."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from privacy_registry.models import Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())


def test_each_seed_organisation_has_its_direct_marketing_marked(loaded):
    marked = {
        (org, description)
        for org, description in Purpose.objects.filter(direct_marketing=True)
        .values_list("activity__organisation__slug", "description")
    }
    by_organisation = {org for org, _description in marked}

    assert {"antura", "antara", "avara"} <= by_organisation
    assert ("avara", "Send the newsletters and content the person chose to receive") in marked
    assert ("avara", "Sales and marketing by direct e-mail or phone") in marked
    assert ("antara", "Offer new products, services, special offers and updates, and a newsletter") in marked


def test_service_and_legal_purposes_are_not_direct_marketing(loaded):
    assert not Purpose.objects.filter(direct_marketing=True, description__in=[
        "Pay invoices", "Answer enquiries", "Register the domain names the customer orders with the domain registries",
    ]).exists()
