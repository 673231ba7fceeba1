"""An erased identity is kept only as a keyed hash, and that hash stops the person being created or imported
again, unless a DPO overrides it with a reason (recorded, and lifting the entry)."""
from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from privacy_registry.roles import DPO
from subjects import services
from subjects.keyed_hash import normalise_phone
from subjects.models import DataSubject, Suppression, SuppressionOverride
from tests import factories as f

pytestmark = pytest.mark.django_db

EMAIL = "Erased.Person@Example.org"


@pytest.fixture
def erased():
    """A subject whose identity went onto the suppression list (as the erasure engine does), then removed."""
    subject = f.DataSubjectFactory(email=EMAIL, phone="+46 (0)70-123 45 67")
    services.suppression_add(subject=subject)
    organisation = subject.organisation
    DataSubject.objects.filter(pk=subject.pk).delete()
    return organisation


def _inline_management() -> dict:
    return {
        "engagements-TOTAL_FORMS": 0, "engagements-INITIAL_FORMS": 0,
        "system_records-TOTAL_FORMS": 0, "system_records-INITIAL_FORMS": 0,
    }


def test_create_refuses_a_suppressed_email_in_any_case_and_spacing(erased):
    with pytest.raises(ValidationError) as refused:
        services.subject_create(organisation=erased, email="  erased.person@EXAMPLE.org ")
    assert "suppression list" in str(refused.value)
    assert not DataSubject.objects.exists()


def test_create_refuses_a_suppressed_phone_however_it_is_written(erased):
    assert normalise_phone("0046 70 123 45 67") == normalise_phone("+46-70-1234567")
    with pytest.raises(ValidationError):
        services.subject_create(organisation=erased, email="new@example.org", phone="+46-70-1234567")


def test_changing_an_email_to_a_suppressed_one_is_refused(erased):
    subject = f.DataSubjectFactory(organisation=erased)
    with pytest.raises(ValidationError):
        services.subject_update(subject=subject, changes={"email": EMAIL})


def test_admin_add_shows_the_refusal_as_a_form_error(erased, compliance_client):
    response = compliance_client.post(reverse("admin:subjects_datasubject_add"), {
        "organisation": erased.pk, "state": "active", "email": EMAIL.upper(), **_inline_management(),
    })
    assert response.status_code == 200
    assert "suppression list" in response.content.decode()
    assert not DataSubject.objects.exists()


def test_import_refuses_the_suppressed_row_with_its_row_number(erased):
    content = "email,first_name\nfresh@example.org,Fresh\nerased.person@example.org,Again\n"
    report = services.subjects_import(organisation=erased, content=content, commit=True)
    assert not report.committed
    [bad] = report.error_rows
    assert bad.number == 3 and "suppression list" in " ".join(bad.errors)
    assert not DataSubject.objects.exists()


def test_dpo_override_with_a_reason_recreates_and_is_recorded(erased, django_user_model):
    dpo = f.UserFactory(username="the-dpo")
    dpo.groups.add(django_user_model.groups.field.related_model.objects.get(name=DPO))
    dpo = django_user_model.objects.get(pk=dpo.pk)  # fresh permission cache
    reason = "Came back as a customer and signed a new contract."
    subject = services.subject_create(
        organisation=erased, email=EMAIL, phone="+46701234567", actor=dpo, override_reason=reason
    )
    overrides = SuppressionOverride.objects.filter(subject=subject)
    assert {o.kind for o in overrides} == {"email", "phone"}
    assert all(o.reason == reason and o.overridden_by == dpo for o in overrides)
    # The entries are lifted: the person is back and a later import of them is not refused.
    assert not services.is_suppressed(email=EMAIL, phone="+46701234567")
    assert subject.history.first().history_change_reason == "created (suppression overridden)"


def test_override_needs_a_dpo(erased):
    compliance = f.UserFactory(username="compliance-person")
    with pytest.raises(ValidationError) as refused:
        services.subject_create(organisation=erased, email=EMAIL, actor=compliance, override_reason="Because")
    assert "Only a DPO" in str(refused.value)
    assert services.is_suppressed(email=EMAIL)


def test_dpo_override_through_the_admin_form(erased, dpo_client):
    data = {"organisation": erased.pk, "state": "active", "email": EMAIL, **_inline_management()}
    refused = dpo_client.post(reverse("admin:subjects_datasubject_add"), data)
    assert refused.status_code == 200 and not DataSubject.objects.exists()
    accepted = dpo_client.post(
        reverse("admin:subjects_datasubject_add"), {**data, "override_reason": "Asked to be re-added in writing."}
    )
    assert accepted.status_code == 302
    subject = DataSubject.objects.get()
    assert SuppressionOverride.objects.get(kind="email").subject == subject


def test_the_hash_depends_on_the_secret_key(settings):
    settings.SUPPRESSION_HMAC_KEY = "first-key-" + "x" * 40
    first = services.suppression_hash(EMAIL)
    settings.SUPPRESSION_HMAC_KEY = "second-key-" + "y" * 40
    second = services.suppression_hash(EMAIL)
    assert first != second
    assert first not in {hashlib.sha256(v.encode()).hexdigest() for v in (EMAIL, EMAIL.lower())}


def test_no_plain_identifier_is_stored_for_a_suppression(erased):
    assert Suppression.objects.count() == 2
    tables = [Suppression._meta.db_table, Suppression.history.model._meta.db_table]
    plain = {EMAIL.lower(), "erased.person", "701234567", hashlib.sha256(EMAIL.lower().encode()).hexdigest()}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dumped = " ".join(str(value) for row in cursor.fetchall() for value in row).lower()
            assert dumped
            for value in plain:
                assert value not in dumped, table


def test_many_at_once_hash_exactly_as_one_at_a_time():
    from subjects.keyed_hash import suppression_digests, suppression_digests_many, suppression_hash

    people = {
        1: (" Ada@Example.org ", "+46 (0)70-123 45 67"),
        2: ("bo@example.org", ""),
        3: ("", "070-123 45 67"),
        4: (None, None),
    }
    many = suppression_digests_many(people)
    assert many == {
        1: {suppression_hash("ada@example.org"): "email", suppression_hash("+46 70-123 45 67", kind="phone"): "phone"},
        2: {suppression_hash("bo@example.org"): "email"},
        3: {suppression_hash("0701234567", kind="phone"): "phone"},
        4: {},
    }
    assert suppression_digests(email=" Ada@Example.org ", phone="+46 (0)70-123 45 67") == many[1]


def test_the_pseudonym_an_erasure_leaves_is_not_put_on_the_suppression_list():
    from subjects.keyed_hash import suppression_digests

    assert suppression_digests(email="erased-42@invalid") == {}
    assert suppression_digests(email="someone@mail.invalid") == {}
    assert suppression_digests(email="someone@invalid.example.org") != {}


def test_the_digest_format_stays_what_stored_suppression_entries_were_made_with(settings):
    """A changed message or key encoding would silently un-suppress everyone already on the list."""
    import hmac

    from subjects.keyed_hash import suppression_digests

    settings.SUPPRESSION_HMAC_KEY = "a-fixed-key-for-this-test"
    key = b"a-fixed-key-for-this-test"
    expected = {
        hmac.new(key, b"suppression.email\x1fada@example.org", hashlib.sha256).hexdigest(): "email",
        hmac.new(key, b"suppression.phone\x1f+46701234567", hashlib.sha256).hexdigest(): "phone",
    }
    assert suppression_digests(email="Ada@Example.org", phone="+46 (0)70-123 45 67") == expected
