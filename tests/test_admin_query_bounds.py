"""Every admin page of the register runs the same number of queries with 1 row as with 50.

The models are discovered from the admin registry, so a newly registered model is covered (or the
suite fails until it has a factory). "Rows" means everything a page can list: the model's own table,
every table a form of the page points into (a select listing every row would show up), the
many-to-many choices of the object shown, its inline children and the versions in its history. The last
two grow to a handful rather than 50: a query per inline row or per version shows at any count, and 50
rendered inline forms would cost the suite seconds.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy_registry import models as m
from privacy_registry.roles import AUDITOR, COMPLIANCE, DPO
from tests import factories as f
from tests.conftest import _staff_client

pytestmark = pytest.mark.django_db

ROWS = 50
CHILDREN = 5
# A ceiling as well, so a page that is constant but wasteful still shows up.
MAX_QUERIES_PER_PAGE = 40


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Three staff users per test: the production hasher would make the module slow, not safer.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


FACTORIES = {
    m.Country: f.CountryFactory,
    m.Organisation: f.OrganisationFactory,
    m.PrivacyContact: f.PrivacyContactFactory,
    m.DataSubjectCategory: f.DataSubjectCategoryFactory,
    m.PersonalDataCategory: f.PersonalDataCategoryFactory,
    m.Vendor: f.VendorFactory,
    m.System: f.SystemFactory,
    m.SecurityMeasure: f.SecurityMeasureFactory,
    m.ProcessingActivity: f.ProcessingActivityFactory,
    m.Purpose: f.PurposeFactory,
    m.DataSource: f.DataSourceFactory,
    m.Recipient: f.RecipientFactory,
    m.Transfer: f.TransferFactory,
    m.Incident: f.IncidentFactory,
    m.Office: f.OfficeFactory,
    m.StatedRight: f.StatedRightFactory,
    m.NoticeStatement: f.NoticeStatementFactory,
    m.CorporateGroup: f.CorporateGroupFactory,
    get_user_model(): f.UserFactory,
}

REGISTER_ADMINS = sorted(
    (model_admin for model, model_admin in admin.site._registry.items() if model._meta.app_label == "privacy_registry"),
    key=lambda model_admin: model_admin.model._meta.model_name,
)


def _id(model_admin) -> str:
    return model_admin.model.__name__


def _factory(model):
    if model not in FACTORIES:
        pytest.fail(f"{model._meta.label} has no factory in {__name__}.FACTORIES: add one to tests/factories.py")
    return FACTORIES[model]


def _clients() -> dict[str, Client]:
    """One logged-in client per role, each with its own session."""
    return {
        role: _staff_client(Client(), get_user_model(), group=role)
        for role in (DPO, COMPLIANCE, AUDITOR)
    }


def _info(model) -> tuple[str, str]:
    return model._meta.app_label, model._meta.model_name


def _search_term(model_admin, obj) -> str:
    """A value of the object for the first search field that has one, so the search finds it."""
    for field in model_admin.search_fields:
        value = type(obj).objects.filter(pk=obj.pk).values_list(field, flat=True).first()
        if value:
            return str(value)
    return str(obj)


def _pages(model_admin, obj, dpo: Client) -> dict[tuple[str, str], str]:
    """(role, page) -> URL. The DPO sees every page; Compliance and the Auditor (whose record page is
    read-only, a different rendering) the list and the record."""
    info = _info(model_admin.model)
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    pages = {
        (DPO, "changelist"): changelist,
        (DPO, "change"): change,
        (DPO, "add"): reverse("admin:{}_{}_add".format(*info)),
        (DPO, "history"): reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
        (COMPLIANCE, "changelist"): changelist,
        (COMPLIANCE, "change"): change,
        (AUDITOR, "changelist"): changelist,
        (AUDITOR, "change"): change,
    }
    if model_admin.search_fields:
        pages[(DPO, "search")] = changelist + "?" + urlencode({"q": _search_term(model_admin, obj)})
    if model_admin.list_filter:
        cl = dpo.get(changelist).context["cl"]
        first_filter = cl.filter_specs[0]
        choice = next(c for c in first_filter.choices(cl) if not c["selected"])
        pages[(DPO, "filter")] = changelist + choice["query_string"]
    return pages


def _measure(clients: dict[str, Client], pages: dict[tuple[str, str], str]) -> dict[tuple[str, str], list[str]]:
    """(role, page) -> the SQL the page ran."""
    queries_by_page = {}
    for (role, page), url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = clients[role].get(url)
        assert response.status_code == 200, f"{role} {page} {url}: {response.status_code}"
        queries_by_page[(role, page)] = [query["sql"] for query in queries]
    return queries_by_page


def _counts(queries_by_page: dict) -> dict[tuple[str, str], int]:
    return {key: len(queries) for key, queries in queries_by_page.items()}


def _related_models(model_admin) -> set:
    """Every model a form of this page can point into: the model's and its inlines' foreign keys and M2Ms."""
    models = [model_admin.model, *(inline.model for inline in model_admin.inlines)]
    return {
        field.related_model
        for model in models
        for field in model._meta.get_fields()
        if field.concrete and (field.many_to_one or field.many_to_many)
    }


def _parent_fk(inline, model):
    return next(
        field for field in inline.model._meta.get_fields()
        if field.many_to_one and field.concrete and field.related_model is model
        and (inline.fk_name is None or field.name == inline.fk_name)
    )


def _build_one(model_admin):
    """One record with one of everything below it: one choice in each many-to-many, one inline child.

    (An empty many-to-many costs a query less than a filled one: starting filled compares like with like.)"""
    model = model_admin.model
    obj = _factory(model)()
    for field in model._meta.many_to_many:
        getattr(obj, field.name).set([_factory(field.related_model)()])
    for inline in model_admin.inlines:
        _factory(inline.model)(**{_parent_fk(inline, model).name: obj})
    return obj


def _grow(model_admin, obj, settings) -> None:
    """From one row to ROWS rows of everything the pages of `obj` can list (CHILDREN below it)."""
    model = model_admin.model
    # The scaffolding rows need no audit trail; leaving it out keeps the module fast.
    settings.SIMPLE_HISTORY_ENABLED = False
    _factory(model).create_batch(ROWS - 1)
    for related in _related_models(model_admin):
        _factory(related).create_batch(ROWS)
    for inline in model_admin.inlines:
        _factory(inline.model).create_batch(CHILDREN - 1, **{_parent_fk(inline, model).name: obj})
    settings.SIMPLE_HISTORY_ENABLED = True
    for field in model._meta.many_to_many:
        getattr(obj, field.name).set(field.related_model.objects.all()[:ROWS])
    obj.refresh_from_db()
    for _ in range(CHILDREN - 1):
        obj.save()  # one more version in its history


def test_every_register_model_in_the_admin_has_a_factory():
    missing = [ma.model._meta.label for ma in REGISTER_ADMINS if ma.model not in FACTORIES]
    assert REGISTER_ADMINS
    assert missing == []


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
def test_admin_pages_run_the_same_queries_with_1_and_50_rows(model_admin, settings):
    model = model_admin.model
    obj = _build_one(model_admin)
    clients = _clients()
    pages = _pages(model_admin, obj, clients[DPO])
    _measure(clients, pages)  # warm the per-process caches (content types, site each_context)

    at_one = _measure(clients, pages)
    _grow(model_admin, obj, settings)
    at_fifty = _measure(clients, pages)

    grown = {key: "\n".join(at_fifty[key]) for key in at_fifty if len(at_fifty[key]) != len(at_one[key])}
    assert _counts(at_fifty) == _counts(at_one), grown
    assert max(_counts(at_one).values()) <= MAX_QUERIES_PER_PAGE
    assert model.objects.count() >= ROWS
    for inline in model_admin.inlines:
        assert inline.model.objects.count() >= CHILDREN


@pytest.mark.parametrize("model_admin", REGISTER_ADMINS, ids=_id)
def test_changelist_search_and_filter_find_the_record(model_admin):
    obj = _factory(model_admin.model)()
    clients = _clients()
    pages = _pages(model_admin, obj, clients[DPO])

    listed = clients[DPO].get(pages[(DPO, "changelist")]).context["cl"]
    assert obj in listed.queryset
    if (DPO, "search") in pages:
        searched = clients[DPO].get(pages[(DPO, "search")]).context["cl"]
        assert obj in searched.queryset
    if (DPO, "filter") in pages:
        filtered = clients[DPO].get(pages[(DPO, "filter")]).context["cl"]
        assert filtered.has_active_filters


def test_dashboard_runs_the_same_queries_with_1_and_50_organisations_activities_and_incidents(
    dpo_client, django_assert_num_queries
):
    index = reverse("admin:index")

    def build(n):
        for _ in range(n):
            organisation = f.OrganisationFactory()
            f.ProcessingActivityFactory(organisation=organisation)
            f.IncidentFactory(organisation=organisation)

    build(1)
    dpo_client.get(index)  # warm the per-process caches
    with CaptureQueriesContext(connection) as at_one:
        first = dpo_client.get(index)
    build(ROWS - 1)
    with django_assert_num_queries(len(at_one)):
        second = dpo_client.get(index)

    assert first.status_code == second.status_code == 200
    assert len(first.context["dashboard"]["organisations"]) == 1
    assert len(second.context["dashboard"]["organisations"]) == ROWS
    assert second.context["dashboard"]["totals"]["total"] == ROWS
