"""A new user enters a five-entity group with two controllers and an EEA representative through the admin, as its
notice states it, without a forced value (issue 16): no role, basis or Art. 26 claim the notice does not make."""
from __future__ import annotations

import pytest

from privacy_registry import models as m
from privacy_registry import selectors
from privacy_registry.exports.document import render_document
from privacy_registry.exports.record import build_record
from privacy_registry.exports.templates import TEMPLATES

pytestmark = pytest.mark.django_db


def _add(client, model: str, values: dict, inline_rows: dict[str, list[dict]] | None = None):
    """POST the admin's add form as a browser would: the form's own initial values, every inline empty unless
    rows are given, then what the user types."""
    url = f"/admin/privacy_registry/{model}/add/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, "", []):
            continue
        data[name] = "on" if value is True else ([str(v) for v in value] if isinstance(value, list) else value)
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        rows = (inline_rows or {}).get(prefix, [])
        data.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    data.update(values)
    response = client.post(url, data)
    if response.status_code != 302:
        errors = response.context["adminform"].form.errors
        inline_errors = [i.formset.errors for i in response.context["inline_admin_formsets"]]
        pytest.fail(f"{model} not saved: {errors} {inline_errors}")
    return response


def test_a_five_entity_group_with_two_controllers_and_an_eea_representative(dpo_client):
    role = m.Organisation.Role
    _add(dpo_client, "corporategroup", {
        "name": "Fjeld Group", "we_means_en": "“We”, “us”: Fjeld Holding A/S and its subsidiaries",
    })
    group = m.CorporateGroup.objects.get(name="Fjeld Group")
    entities = [
        ("Fjeld Holding A/S", "fjeld-holding", "DK", role.CONTROLLER, []),
        ("Fjeld Sverige AB", "fjeld-se", "SE", role.CONTROLLER, []),
        # A controller of its own activities that is also the group's EEA representative: a set of roles.
        ("Fjeld Europe ApS", "fjeld-eu", "DK", role.GROUP_MEMBER, [role.REPRESENTATIVE]),
        ("Fjeld Norge AS", "fjeld-no", "NO", role.GROUP_MEMBER, []),
    ]
    for name, slug, country, main_role, other_roles in entities:
        _add(dpo_client, "organisation", {
            "name": name, "slug": slug, "country": country, "role": main_role, "other_roles": other_roles,
            "group": group.pk,
        }, inline_rows={"offices": [{"name_en": f"{name} head office", "is_headquarters": "on", "country": country}]}
           if slug == "fjeld-holding" else None)
    representative = m.Organisation.objects.get(slug="fjeld-eu")
    # The fifth, outside the EEA, names the group's representative; its country office is no legal entity.
    _add(dpo_client, "organisation", {
        "name": "Fjeld UK Ltd", "slug": "fjeld-uk", "country": "GB", "role": role.GROUP_MEMBER, "group": group.pk,
        "representative": representative.pk,
    }, inline_rows={"offices": [{"name_en": "Manchester office", "city": "Manchester", "country": "GB"}]})

    holding = m.Organisation.objects.get(slug="fjeld-holding")
    sverige = m.Organisation.objects.get(slug="fjeld-se")
    assert m.Organisation.objects.filter(group=group).count() == 5
    assert representative.roles == [role.GROUP_MEMBER, role.REPRESENTATIVE]
    assert m.Organisation.objects.get(slug="fjeld-uk").offices.get().name == "Manchester office"

    # A vendor the notice names without a role: entered as it is.
    _add(dpo_client, "vendor", {"name": "Telegram"})
    assert m.Vendor.objects.get(name="Telegram").role == m.Vendor.Role.NOT_STATED

    # An activity whose notice names both controllers without saying they are joint controllers, and a purpose
    # whose basis it does not map to Art. 6(1).
    _add(dpo_client, "processingactivity", {
        "organisation": holding.pk, "name_en": "Customer service", "status": m.ProcessingActivity.Status.ACTIVE,
        "other_controllers": [str(sverige.pk)],
    }, inline_rows={"purposes": [{
        "description_en": "Answer customers", "legal_basis": "", "legal_basis_not_stated": "on",
        "legal_basis_as_stated_en": "legitimate interests or consent", "order": "0",
    }]})
    activity = m.ProcessingActivity.objects.get(name="Customer service")
    assert list(activity.other_controllers.all()) == [sverige]
    assert not activity.joint_controllers.exists()
    purpose = activity.purposes.get()
    assert (purpose.legal_basis, purpose.legal_basis_not_stated) == ("", True)

    organisation = selectors.organisations_for_record().get(pk=holding.pk)
    document = render_document(template=TEMPLATES["art30"], record=build_record(organisation=organisation))
    [row] = next(s for s in document.sheets if s.key == "controller").as_dicts()
    assert "Further controllers (not stated to be joint, Art. 26): Fjeld Sverige AB" in row["(a) Controller"]
    assert row["(a) Joint controllers"] == "Not applicable"
    assert row["Legal basis (Art. 6(1))"].startswith("Not stated by the organisation")
    cover = dict(document.cover)
    assert "Fjeld Holding A/S head office (headquarters)" in cover["Offices"]
    assert cover["Group (who “we” means)"].startswith("Fjeld Group: “We”")

    uk = selectors.organisations_for_record().get(slug="fjeld-uk")
    uk_cover = dict(render_document(template=TEMPLATES["ico"], record=build_record(organisation=uk)).cover)
    assert uk_cover["Representative (Art. 27)"].startswith("Fjeld Europe ApS")
    eu_cover = dict(render_document(template=TEMPLATES["ico"],
                                    record=build_record(organisation=representative)).cover)
    assert eu_cover["Role"] == "Group member (not a controller); EU representative (Art. 27)"


def test_the_main_role_is_not_repeated_among_the_others(dpo_client):
    _add(dpo_client, "organisation", {
        "name": "Solo AB", "slug": "solo", "role": m.Organisation.Role.CONTROLLER,
        "other_roles": [m.Organisation.Role.CONTROLLER, m.Organisation.Role.PROCESSOR],
    })
    assert m.Organisation.objects.get(slug="solo").other_roles == [m.Organisation.Role.PROCESSOR]
