"""The public pages and the e-mails to requesters speak Swedish and Danish, with no English fixed wording left.

Two checks: every page (and e-mail) rendered in sv and da shares no sentence with its English rendering
(register data such as names and addresses aside), and every message of the public side has a Swedish and a
Danish translation in the committed catalogues (and the compiled .mo files are there)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from rights import mail as rights_mail
from rights import services
from rights.models import Outcome, RefusalGround, RightsRequest, Status
from tests.factories import DataSubjectFactory, OrganisationFactory, RightsRequestFactory
from tests.rights_public_support import (  # noqa: F401  (fixtures)
    eager_tasks_fixture,
    last_mail_to,
    link_in,
    public_pages_fixture,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]

LANGUAGES = ("sv", "da")
ORGANISATION = "Antura Nordic AB"
ADDRESS = "maja.holm@example.com"
# Words that are spelt the same in English and the language (checked by hand), and the languages' own names.
SAME_WORD = {"sv": {"Organisation", "Status", "Post"}, "da": {"Organisation", "Status", "Post", "Reference", "E-mail"}}
OWN_NAMES = {"English", "Svenska", "Dansk"}
PUBLIC_SOURCES = (
    "rights/templates/rights/public/", "rights/templates/rights/email/", "rights/forms.py", "rights/views.py",
    "rights/mail.py",
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.nodes.append(text)


def _text_nodes(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return set(parser.nodes)


def _fixed_wording(nodes: set[str], register: set[str]) -> set[str]:
    """Nodes of fixed wording: with letters, and not (only) register data."""
    kept = set()
    for node in nodes:
        rest = node
        for value in register:
            rest = rest.replace(value, "")
        rest = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "", rest)  # references
        if re.search(r"[A-Za-z]{2,}", rest) and node not in OWN_NAMES:
            kept.add(node)
    return kept


def _untranslated(english: set[str], other: set[str], language: str) -> set[str]:
    return {node for node in english & other if node not in SAME_WORD[language]}


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name=ORGANISATION, slug="antura")
    DataSubjectFactory(organisation=organisation, email=ADDRESS)
    return organisation


def _pages(language: str, organisation, capture, settings_) -> dict[str, str]:
    """Every public page, as a visitor with ``language`` chosen sees it."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    base = f"/privacy/{organisation.slug}/request/"
    pages = {
        "home": client.get("/"),
        "request": client.get(base),
        "request with errors": client.post(base, {"type": "rectification", "email": "not an address"}),
        "check your e-mail": client.get(base + "sent/"),
        "invalid link": client.get(base + "confirm/no-such-token/"),
        "download, invalid link": client.get(base + "download/no-such-token/"),
        "not found": client.get("/no-such-page/"),
    }
    address = f"{language}.{ADDRESS}"
    submit(client, organisation, capture, email=address)
    confirm = link_in(last_mail_to(address))
    pages["confirm"] = client.get(confirm)
    with capture(execute=True):
        pages["confirmed"] = client.post(confirm)
    settings_.RIGHTS_RATELIMIT_IP = "1/h"
    submit(client, organisation, capture, email=address)
    pages["too many attempts"] = submit(client, organisation, capture, email=address)
    settings_.RIGHTS_RATELIMIT_IP = "20/h"
    strict = Client(enforce_csrf_checks=True)
    strict.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages["csrf failure"] = strict.post(base, {})
    statuses = {name: response.status_code for name, response in pages.items()}
    assert statuses["too many attempts"] == 429 and statuses["csrf failure"] == 403 and statuses["confirm"] == 200
    return {name: response.content.decode() for name, response in pages.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_have_no_english_fixed_wording(language, organisation, public_pages,
                                                   django_capture_on_commit_callbacks):
    english = _pages("en", organisation, django_capture_on_commit_callbacks, public_pages)
    other = _pages(language, organisation, django_capture_on_commit_callbacks, public_pages)
    register = {ORGANISATION, ADDRESS, f"en.{ADDRESS}", f"{language}.{ADDRESS}"}
    for name, html in other.items():
        assert f'<html lang="{language}">' in html, name
        english_nodes = _fixed_wording(_text_nodes(english[name]), register)
        assert english_nodes, name
        left = _untranslated(english_nodes, _text_nodes(html), language)
        assert not left, (name, left)


def _mails(language: str, organisation) -> dict[str, tuple[str, str]]:
    """Every e-mail to a requester whose language is ``language``: (subject and text part, HTML part)."""
    organisation.lead_authority = "IMY"
    organisation.save()
    request = RightsRequestFactory(
        organisation=organisation, email=ADDRESS, language=language, type="erasure", status=Status.REFUSED,
        due_on=timezone.localdate(), refusal_ground=RefusalGround.UNFOUNDED, outcome=Outcome.PARTIAL,
        verified_at=timezone.now(),
    )
    bodies = {}
    for kind in rights_mail.KINDS:
        mail.outbox.clear()
        if kind in ("verify", "export_ready"):  # these carry a link, made where the link is
            extra = {"link": "https://privacy.example/link/", "hours": 48, "days": 7}
            rights_mail.requester_mail(request=request, kind=kind, to=ADDRESS, extra=extra)
        else:  # the receipts, as the task sends them
            assert services.receipt_send(request_id=request.pk, kind=kind)
        message = mail.outbox[-1]
        bodies[kind] = (f"{message.subject}\n{message.body}", message.alternatives[0][0])
    return bodies


def _lines(text: str, html: str) -> set[str]:
    return {" ".join(line.split()) for line in text.splitlines() if line.strip()} | _text_nodes(html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_to_the_requester_is_in_their_language(language, organisation):
    english = _mails("en", organisation)
    other = _mails(language, organisation)
    register = {ORGANISATION, ADDRESS, "IMY", "https://privacy.example/link/"}
    for kind, (text, html) in other.items():
        assert f'lang="{language}"' in html, kind
        english_lines = _fixed_wording(_lines(*english[kind]), register)
        assert english_lines, kind
        left = _untranslated(english_lines, _lines(text, html), language)
        assert not left, (kind, left)
    # Labels that reach a mail inside a sentence: the refusal ground (and the type) in the requester's language.
    with translation.override(language):
        ground, right = str(RefusalGround.UNFOUNDED.label), str(RightsRequest(type="erasure").get_type_display())
    assert ground in other["refused"][0] and "manifestly unfounded" not in other["refused"][0]
    assert right in other["refused"][0] and "Erasure (Art. 17)" not in other["refused"][0]


def _catalogue(language: str) -> dict[str, tuple[list[str], list[str]]]:
    """msgid (with its context) -> (source references, translations), read from the committed .po file."""
    text = (Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po").read_text("utf-8")
    entries = {}
    for block in text.split("\n\n"):
        references = [ref for line in block.splitlines() if line.startswith("#: ") for ref in line[3:].split()]
        if "#, fuzzy" in block:
            references.append("FUZZY")
        parts: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            found = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if found:
                key = found.group(1)
                parts[key] = found.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        if parts.get("msgid"):
            translations = [value for name, value in parts.items() if name.startswith("msgstr")]
            entries[(parts.get("msgctxt", ""), parts["msgid"])] = (references, translations)
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_message_has_a_translation_in_the_catalogue(language):
    catalogue = _catalogue(language)
    public = {key: value for key, value in catalogue.items()
              if any(ref.startswith(PUBLIC_SOURCES) for ref in value[0])}
    assert len(public) > 100
    missing = [key[1] for key, (references, translations) in public.items()
               if "FUZZY" in references or not all(translations)]
    assert not missing
    assert (Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.mo").stat().st_size > 1000


@pytest.mark.parametrize("language", LANGUAGES)
def test_request_type_labels_and_form_errors_are_translated(language, client):
    with translation.override(language):
        assert str(RightsRequest(type="erasure").get_type_display()) != "Erasure (Art. 17)"
    organisation = OrganisationFactory()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(f"/privacy/{organisation.slug}/request/", {"type": "nonsense", "email": ""})
    assert b"Choose one of the rights listed." not in response.content
    assert b"Enter your e-mail address." not in response.content
