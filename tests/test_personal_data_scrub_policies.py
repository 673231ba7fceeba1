"""The declarations scrub what they say, the same way per person and set-wise, history included.

This is not the erasure engine (retention builds that on these primitives); it proves the primitives:
database expressions for ``QuerySet.update()``, Python values for one loaded object, keyed hashes, row
deletion, and the historical rows."""
from __future__ import annotations

import pytest
from django.db import connection

from subjects import personal_data
from subjects.models import DataSubject, Engagement, SystemRecord
from subjects.personal_data import KEYED_HASH_PREFIX
from tests import factories as f

pytestmark = pytest.mark.django_db

EMAIL = "Karin.Holm@Example.se"


def _table_text(model) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
        return " ".join(str(v) for row in cursor.fetchall() for v in row).lower()


def _subject_tables() -> list:
    models = []
    for declaration in personal_data.declarations():
        models.append(declaration.model)
        if declaration.historical_model is not None:
            models.append(declaration.historical_model)
    return models


@pytest.fixture
def karin():
    subject = f.DataSubjectFactory(email=EMAIL, first_name="Karin", last_name="Holm", phone="+46 70 999 88 77",
                                   city="Umeå")
    subject.city = "Luleå"  # a second historical row holding the old values
    subject.save()
    f.EngagementFactory(subject=subject)
    f.SystemRecordFactory(subject=subject, external_id="hubspot-777")
    return subject


def _identifiers() -> list[str]:
    return [EMAIL.lower(), "karin", "holm", "999 88 77", "umeå", "luleå", "hubspot-777"]


def test_set_wise_scrub_leaves_no_identifier_in_live_or_history_rows(karin):
    bystander = f.DataSubjectFactory(email="other@example.org", first_name="Per", last_name="Ek", city="Visby")
    for declaration in personal_data.declarations():
        if declaration.subject_path is None:
            continue
        declaration.apply(declaration.model._default_manager.filter(declaration.subject_q([karin.pk])))
    for declaration in personal_data.declarations():
        history = declaration.historical_model
        if history is not None and declaration.subject_path is not None:
            declaration.apply(history.objects.filter(declaration.subject_q([karin.pk])), historical=True)
    for model in _subject_tables():
        text = _table_text(model)
        for identifier in _identifiers():
            assert identifier not in text, (model._meta.label, identifier)
    karin.refresh_from_db()
    assert karin.email == f"erased-{karin.pk}@invalid"
    assert all(h.email == karin.email for h in karin.history.all())
    assert not Engagement.objects.filter(subject=karin).exists()
    assert not Engagement.history.filter(subject_id=karin.pk).exists()
    record = SystemRecord.objects.get(subject=karin)
    assert record.external_id.startswith(KEYED_HASH_PREFIX)
    assert SystemRecord.history.filter(subject_id=karin.pk).first().external_id == record.external_id
    bystander.refresh_from_db()
    assert bystander.email == "other@example.org"


def test_per_person_scrub_gives_the_same_values_as_set_wise(karin):
    declaration = personal_data.declaration_for(DataSubject)
    changed = declaration.scrub_instance(karin)
    assert {"email", "first_name", "last_name", "phone", "city"} <= set(changed)
    in_python = {name: getattr(karin, name) for name in declaration.fields}
    declaration.apply(DataSubject.objects.filter(pk=karin.pk))
    stored = DataSubject.objects.get(pk=karin.pk)
    assert {name: getattr(stored, name) for name in declaration.fields} == in_python


def test_scrubbing_twice_changes_nothing_more(karin):
    declaration = personal_data.declaration_for(SystemRecord)
    queryset = SystemRecord.objects.filter(subject=karin)
    declaration.apply(queryset)
    once = queryset.get().external_id
    declaration.apply(queryset)
    assert queryset.get().external_id == once


def test_the_receipt_names_tables_and_policies_but_no_values(karin):
    receipt = personal_data.declaration_for(DataSubject).receipt()
    assert receipt["table"] == "subjects_datasubject" and receipt["fields"]["email"] == "pseudonym"
    assert receipt["history_table"] == DataSubject.history.model._meta.db_table
    assert EMAIL.lower() not in str(receipt).lower()
