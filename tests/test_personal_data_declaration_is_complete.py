"""Every personal-looking field of the product has a declared scrub policy, or is declared not personal.

The erasure engine scrubs exactly what ``subjects.personal_data`` declares, so a text field added to a model
that holds data about people, without a policy, would survive every erasure. This test walks all models of
the product apps and fails the build in that case.

``privacy_registry`` is left out on purpose: the register holds no data-subject data. Its only people are
staff and privacy contacts (a DPO's name and e-mail, a vendor's privacy address), kept because the law
requires them to be published, and not subject to retention erasure.
"""
from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from subjects import personal_data
from subjects.models import DataSubject
from subjects.personal_data import PERSONAL_LOOKING_FIELDS, HistoryPolicy, Scrub

PRODUCT_APPS = ("subjects", "retention", "consent", "rights")
# Names that give a field away as personal even on a model with no link to a DataSubject (a cookie consent
# row with an IP address, an unverified request with an e-mail).
PERSONAL_NAMES = ("email", "e_mail", "phone", "first_name", "last_name", "full_name", "ip", "user_agent", "address")
SEARCH_DEPTH = 4


def _is_historical(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type") and hasattr(model, "history_object")


def _product_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs() if config.label in PRODUCT_APPS
        for model in config.get_models(include_auto_created=True)
        if not _is_historical(model)
    ]


def _reaches_subject(model: type[models.Model], depth: int = SEARCH_DEPTH, seen=frozenset()) -> bool:
    """Whether foreign keys (or one-to-ones) lead from ``model`` to DataSubject."""
    if model is DataSubject:
        return True
    if depth == 0 or model in seen:
        return False
    return any(
        _reaches_subject(f.related_model, depth - 1, seen | {model})
        for f in model._meta.get_fields()
        if f.concrete and f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None
    )


def _personal_looking(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields
        if isinstance(f, PERSONAL_LOOKING_FIELDS) and not f.primary_key
    ]


def _looks_named_personal(field: models.Field) -> bool:
    name = field.name.lower()
    return any(name == p or name.startswith(f"{p}_") or name.endswith(f"_{p}") for p in PERSONAL_NAMES)


def test_every_model_reaching_a_subject_is_declared():
    missing = [
        model._meta.label for model in _product_models()
        if _reaches_subject(model)
        and personal_data.declaration_for(model) is None
        # Django's own many-to-many tables hold two ids and nothing else.
        and not model._meta.auto_created
    ]
    assert not missing, f"declare these in subjects.personal_data (from the app's ready()): {missing}"


def _undecided(product_models, declaration_for) -> list[str]:
    undecided = []
    for model in product_models:
        declaration = declaration_for(model)
        for field in _personal_looking(model):
            if declaration is not None:
                if not declaration.covers(field.name):
                    undecided.append(f"{model._meta.label}.{field.name}")
            elif _reaches_subject(model) or _looks_named_personal(field):
                undecided.append(f"{model._meta.label}.{field.name}")
    return undecided


def test_every_personal_looking_field_has_a_policy_or_is_declared_not_personal():
    undecided = _undecided(_product_models(), personal_data.declaration_for)
    assert not undecided, (
        f"give each a Scrub policy or list it in not_personal in its personal_data.declare(): {undecided}"
    )


def test_the_history_of_every_declared_model_is_covered():
    for declaration in personal_data.declarations():
        history = declaration.historical_model
        if history is None:
            continue
        assert declaration.history in {HistoryPolicy.SCRUB, HistoryPolicy.DELETE}
        if declaration.history == HistoryPolicy.DELETE or declaration.delete_row:
            continue
        # The historical model carries the same columns under the same names (less any excluded from
        # history): each personal-looking one of them is decided by the same declaration. simple-history's
        # own history_* columns hold the change type and a reason that services write as fixed words and ids.
        for field in _personal_looking(history):
            if field.name.startswith("history_"):
                continue
            assert declaration.covers(field.name), f"{history._meta.label}.{field.name}"
        assert set(declaration.update_values(historical=True)) == set(declaration.update_values()), declaration.label


def test_the_subjects_app_declares_its_own_models():
    labels = {d.label for d in personal_data.declarations()}
    assert {"subjects.DataSubject", "subjects.Engagement", "subjects.SystemRecord",
            "subjects.SuppressionOverride"} <= labels


def test_an_undeclared_field_would_be_caught():
    """The walk is not vacuous: with DataSubject declared only in part, the fields left out are reported."""
    registry = personal_data.PersonalDataRegistry()
    registry.declare(DataSubject, subject_path="", fields={"email": Scrub.pseudonym()}, not_personal=["state"])
    undecided = _undecided(_product_models(), registry.declaration_for)
    assert {"subjects.DataSubject.first_name", "subjects.DataSubject.phone"} <= set(undecided)
    assert "subjects.DataSubject.email" not in undecided and "subjects.DataSubject.state" not in undecided
    # A model reaching a subject and not declared at all: every text field of it is reported.
    assert "subjects.SystemRecord.external_id" in undecided


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"subject_path": "", "fields": {"nope": Scrub.fixed()}}, "no field 'nope'"),
        ({"subject_path": "", "fields": {"email": Scrub.null()}}, "NOT NULL"),
        ({"subject_path": "organisation", "fields": {}}, "does not lead to a DataSubject"),
        ({"subject_path": "", "fields": {"email": Scrub.fixed()}, "not_personal": ["email"]}, "both"),
        ({"subject_path": "", "fields": {"postal_code": Scrub.fixed("x" * 21)}}, "may not fit"),
        ({"subject_path": "", "fields": {"email": Scrub.delete_row(), "phone": Scrub.fixed()}}, "deleted"),
    ],
)
def test_a_wrong_declaration_stops_start_up(kwargs, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        personal_data.PersonalDataRegistry().declare(DataSubject, **kwargs)


def test_declaring_a_model_twice_is_refused():
    with pytest.raises(ImproperlyConfigured, match="twice"):
        personal_data.declare(DataSubject, subject_path="", fields={})
