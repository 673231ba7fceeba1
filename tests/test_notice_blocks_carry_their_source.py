"""Every block of the generated notice names its source — a register field (model, id, field, the language its text
is in), a named text of the law, or fixed wording for headings and link labels — and no block says something of a
field the register leaves "not stated" (empty, "not_stated", or None for a tri-state). Walked over every demo
organisation and the notice test register, in English, Swedish and Danish. A text in another language than the
reader's is marked (``lang`` in the HTML) and listed in the DPO's preview, where each law sentence is marked as
added by law."""
from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import translation

from consent import notice
from privacy_registry import models as m
from tests import factories as f
from tests.notice_register import build_notice_register

pytestmark = pytest.mark.django_db

DEMO = ("antura", "antara", "avara")


def _value(source: notice.Source):
    model = apps.get_model(source.model)
    obj = model.objects.get(pk=source.pk)
    value = getattr(obj, source.field)
    if source.language:
        value = getattr(obj, f"{source.field}_{source.language}", value)
    if isinstance(value, models.Manager):
        return value.exists() or None
    return value


def _problems(blocks: list[notice.Block]) -> list[str]:
    problems = []
    for block in blocks:
        if not block.sources:
            problems.append(f"no source: {block.kind} {block.text!r}")
        for source in block.sources:
            assert source.kind in {"field", "law", "heading"}, source
            if source.kind == "law":
                assert source.law.startswith("GDPR Art. "), source
            if source.kind == "heading" and block.kind not in {"h1", "h2", "h3", "p", "link"}:
                problems.append(f"fixed wording as a list item: {block.text!r}")
            if source.kind != "field" or not source.stated:
                continue
            if _value(source) in (None, "", "not_stated"):
                problems.append(f"says {block.text!r} of a field not stated: {source}")
    return problems


@pytest.mark.parametrize("language", ["en", "sv", "da"])
def test_every_block_of_every_demo_notice_has_a_source_that_states_what_it_says(language):
    call_command("load_demo", stdout=io.StringIO())
    build_notice_register()
    organisations = list(m.Organisation.objects.filter(slug__in=[*DEMO, "fjord"]))
    assert len(organisations) == 4
    for org in organisations:
        with translation.override(language):
            blocks = notice.build_blocks(org)
        assert blocks
        assert not _problems(blocks), org.slug
        # Law sentences are said as the law's, with the law as their source, never as the organisation's word.
        for block in blocks:
            if block.text.startswith("Under the GDPR") or (language == "en" and "Under the GDPR" in block.text):
                assert {s.kind for s in block.sources} == {"law"}, block.text


def test_a_block_cannot_be_made_without_a_source():
    with pytest.raises(ValueError):
        notice.Block("p", "We never sell your data.")


def test_a_not_stated_tri_state_says_nothing_and_the_check_would_catch_it(monkeypatch):
    activity = f.ProcessingActivityFactory(name="Orders", automated_decision_making=True, automated_logic="")
    blocks = notice.build_blocks(activity.organisation)
    said = [b for b in blocks if any(s.field == "automated_decision_making" for s in b.sources)]
    assert [b.text for b in said] == ["Automated decision-making: logic not stated"]
    # The logic is reported as not stated (not passed off as held), so the walk finds no problem.
    assert not _problems(blocks)
    # A block that claimed a held value of an empty field is caught.
    forged = notice.Block("p", "Logic: none", source=notice.field_source(activity, "automated_logic"))
    assert _problems([forged])


def test_an_untranslated_text_is_marked_in_the_html_and_listed_in_the_preview():
    org = f.OrganisationFactory(name="Sprog AB", primary_language="en")
    activity = f.ProcessingActivityFactory(organisation=org, name="Newsletter")
    f.PurposeFactory(activity=activity, description="Send the newsletter", legal_basis=m.LegalBasis.CONSENT)
    m.ProcessingActivity.objects.filter(pk=activity.pk).update(name_sv="Nyhetsbrev")

    _text, html = notice.render(org, "sv")
    assert "<h3>Nyhetsbrev</h3>" in html  # translated: no mark
    assert '<li lang="en">Send the newsletter – ' in html  # not yet in Swedish: marked as English

    shown = notice.preview(org, "sv")
    untranslated = {(text.split(" – ")[0], language) for text, language, _sources in shown.untranslated}
    assert ("Send the newsletter", "en") in untranslated
    assert not any(text == "Nyhetsbrev" for text, _language, _sources in shown.untranslated)
    assert any(f"privacy_registry.Purpose #{activity.purposes.get().pk} · description · en" in sources
               for _text, _language, sources in shown.untranslated)


def test_the_preview_shows_each_blocks_source_and_marks_law_sentences():
    org = f.OrganisationFactory(name="Quelle AB")
    activity = f.ProcessingActivityFactory(organisation=org, name="Customers")
    purpose = f.PurposeFactory(activity=activity, description="Deliver the orders", legal_basis=m.LegalBasis.CONTRACT)
    html = str(notice.preview(org, "en").html)
    assert f"privacy_registry.Purpose #{purpose.pk} · description · en" in html
    assert f"privacy_registry.Purpose #{purpose.pk} · legal_basis" in html
    assert "GDPR Art. 15: added by law, not in your register" in html
    assert "fixed wording" in html


def test_the_admin_preview_shows_sources_and_untranslated_texts(dpo_client):
    org = f.OrganisationFactory(name="Quelle AB", primary_language="en")
    activity = f.ProcessingActivityFactory(organisation=org, name="Customers")
    purpose = f.PurposeFactory(activity=activity, description="Deliver the orders", legal_basis=m.LegalBasis.CONTRACT)
    page = dpo_client.get(f"/admin/consent/noticeversion/preview/{org.pk}/", {"language": "da"}).content.decode()
    assert f"privacy_registry.Purpose #{purpose.pk} · description · en" in page
    assert "added by law, not in your register" in page
    assert '<ul class="notice-untranslated">' in page and '<span lang="en">Deliver the orders' in page
