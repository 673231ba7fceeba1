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
    assert "säljer inte" in avara.text_sv and not avara.text_en
    topics = set(NoticeStatement.objects.filter(organisation__slug="antura").values_list("topic", flat=True))
    assert topics == {NoticeStatement.Topic.SECURITY, NoticeStatement.Topic.INCIDENTS}
    assert NoticeStatement.objects.filter(organisation__slug="antara", topic=NoticeStatement.Topic.STORAGE).exists()

    count = NoticeStatement.history.count()
    call_command("load_demo", stdout=io.StringIO())
    assert NoticeStatement.history.count() == count  # a second load writes nothing
