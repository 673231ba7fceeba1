"""What an organisation states about itself (``NoticeStatement``) is kept per language, with its history, and the
demo holds the statements its seeds make, in the seed's language."""
from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from privacy_registry.models import NoticeStatement
from privacy_registry.translated import text_in

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_statement_is_kept_in_the_language_it_is_written_in():
    org = OrganisationFactory()
    statement = NoticeStatement(organisation=org, topic=NoticeStatement.Topic.NOT_DONE,
                                text_sv="Vi säljer inga uppgifter.")
    statement.full_clean()
    statement.save()

    assert text_in(statement, "text", "sv") == ("Vi säljer inga uppgifter.", "sv")
    assert text_in(statement, "text", "da") == ("Vi säljer inga uppgifter.", "sv")  # said as the Swedish it is
    assert statement.history.count() == 1


def test_a_statement_with_no_text_in_any_language_is_refused():
    with pytest.raises(ValidationError):
        NoticeStatement(organisation=OrganisationFactory(), topic=NoticeStatement.Topic.OTHER).full_clean()


def test_the_demo_holds_the_statements_its_seeds_make():
    call_command("load_demo", stdout=io.StringIO())
    avara = NoticeStatement.objects.get(organisation__slug="avara", topic=NoticeStatement.Topic.NOT_DONE)
    assert "säljer inte" in avara.text_sv  # written in the seed's language, Avara's own (translations beside it)
    assert avara.organisation.primary_language == "sv"
    topics = set(NoticeStatement.objects.filter(organisation__slug="antura").values_list("topic", flat=True))
    assert topics == {NoticeStatement.Topic.SECURITY, NoticeStatement.Topic.INCIDENTS}
    assert NoticeStatement.objects.filter(organisation__slug="antara", topic=NoticeStatement.Topic.STORAGE).exists()

    count = NoticeStatement.history.count()
    call_command("load_demo", stdout=io.StringIO())
    assert NoticeStatement.history.count() == count  # a second load writes nothing


def test_the_dpo_adds_a_statement_in_swedish_on_the_organisation_page(dpo_client):
    from django.urls import reverse

    from tests.test_permission_matrix import change_form_post_data

    org = OrganisationFactory()
    url = reverse("admin:privacy_registry_organisation_change", args=[org.pk])
    page = dpo_client.get(url)
    prefix = next(inline.formset.prefix for inline in page.context["inline_admin_formsets"]
                  if inline.formset.model is NoticeStatement)
    data = change_form_post_data(page)
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-topic": NoticeStatement.Topic.NOT_DONE,
                 f"{prefix}-0-order": "0", f"{prefix}-0-text_sv": "Vi säljer inga uppgifter.",
                 f"{prefix}-0-organisation": str(org.pk)})

    response = dpo_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    statement = NoticeStatement.objects.get(organisation=org)
    assert statement.text_sv == "Vi säljer inga uppgifter." and not statement.text_en
