"""Each right, end to end: a visitor asks through the public pages and confirms by the e-mailed link, then the
DPO finishes it in the admin (the list's "Approve and carry out" action, and the change forms where staff have
to act), and the effect is there. On PostgreSQL in CI, like the rest of the suite."""
from __future__ import annotations

import io
import zipfile
from html.parser import HTMLParser

import pytest

from rights.models import Outcome, RightsRequest, Status
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, EngagementFactory, OrganisationFactory, PurposeFactory
from tests.retention_support import database_text
from tests.rights_public_support import (  # noqa: F401  (fixtures)
    DOWNLOAD_LINK,
    eager_tasks_fixture,
    last_mail_to,
    link_in,
    public_pages_fixture,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages", "eager_tasks")]

LIST = "/admin/rights/rightsrequest/"
ADDRESS = "karin.nilsson@example.com"


class _FormValues(HTMLParser):
    """The values a browser would send from the admin's change form (inputs, selects, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(a["name"], []).append(a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select":
            self._select = a["name"]
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[self._textarea] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.data[self._textarea][0] = self.data[self._textarea][0].lstrip("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def _change_form_post(client, url: str, **changes) -> None:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormValues()
    parser.feed(page.content.decode())
    data = {**parser.data, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}, "_save": ["Save"]}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


def _ask_and_confirm(client, organisation, capture, right: str, *, address: str = ADDRESS, **extra) -> RightsRequest:
    response = submit(client, organisation, capture, type=right, email=address, **extra)
    assert response.status_code == 302
    confirm = link_in(last_mail_to(address))
    with capture(execute=True):
        page = client.post(confirm)
    assert page.status_code == 200 and b"Thank you, your request is confirmed" in page.content
    request = RightsRequest.objects.get(email=address, type=right)
    assert request.status == Status.AWAITING_APPROVAL and request.due_on is not None
    return request


def _approve(dpo_client, request, capture) -> RightsRequest:
    with capture(execute=True):
        response = dpo_client.post(LIST, {"action": "approve_and_execute", "_selected_action": [request.pk],
                                          "post": "yes"})
    assert response.status_code == 302
    request.refresh_from_db()
    return request


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def person(organisation):
    subject = DataSubjectFactory(organisation=organisation, email=ADDRESS, first_name="Karin", last_name="Nilson")
    EngagementFactory(subject=subject)
    return subject


@pytest.fixture
def dpo(client, dpo_client):
    # dpo_client signs `client` in: the visitor gets a browser of its own.
    from django.test import Client

    return Client(), dpo_client


def test_erasure(dpo, organisation, person, django_capture_on_commit_callbacks):
    visitor, admin = dpo
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, "erasure")
    assert request.subject_id == person.pk
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE
    assert DataSubject.objects.get(pk=person.pk).state == DataSubject.State.ERASED
    assert ADDRESS.lower() not in database_text()
    assert "completed" in last_mail_to(ADDRESS).subject.lower()
    assert b"Completed" in admin.get(f"{LIST}{request.pk}/change/").content


@pytest.mark.parametrize("right", ["access", "portability"])
def test_access_and_portability_deliver_a_zip_through_the_download_page(dpo, organisation, person, right,
                                                                       django_capture_on_commit_callbacks):
    visitor, admin = dpo
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, right)
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED
    download = link_in(last_mail_to(ADDRESS), DOWNLOAD_LINK)
    assert visitor.get(download).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(download)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Nilson" in everything and ADDRESS.encode() in everything


def test_rectification(dpo, organisation, person, django_capture_on_commit_callbacks):
    visitor, admin = dpo
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, "rectification",
                               details="My surname is Nilsson, with a double s.")
    assert request.details == "My surname is Nilsson, with a double s."
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.IN_PROGRESS  # staff make the correction
    _change_form_post(admin, f"/admin/subjects/datasubject/{person.pk}/change/", last_name="Nilsson")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(LIST, {"action": "complete", "_selected_action": [request.pk], "post": "yes",
                          "response": "Your surname is corrected."})
    request.refresh_from_db()
    person.refresh_from_db()
    assert person.last_name == "Nilsson" and request.status == Status.COMPLETED
    assert "completed" in last_mail_to(ADDRESS).subject.lower()


def test_restriction(dpo, organisation, person, django_capture_on_commit_callbacks):
    visitor, admin = dpo
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, "restriction")
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED
    assert DataSubject.objects.get(pk=person.pk).state == DataSubject.State.RESTRICTED


def test_objection_to_direct_marketing(dpo, organisation, person, django_capture_on_commit_callbacks):
    visitor, admin = dpo
    marketing = person.engagements.get()
    PurposeFactory(activity=marketing.activity, direct_marketing=True)
    service = EngagementFactory(subject=person)
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, "objection",
                               objection_to="direct_marketing")
    assert request.direct_marketing
    # The person's direct-marketing activity is named by itself (Art. 21(3)): the DPO only carries it out.
    assert list(request.objected_activities.all()) == [marketing.activity]
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE
    marketing.refresh_from_db()
    service.refresh_from_db()
    assert marketing.unsubscribed_on is not None and service.unsubscribed_on is None


def test_objection_on_grounds_of_the_persons_situation(dpo, organisation, person, django_capture_on_commit_callbacks):
    visitor, admin = dpo
    processing = person.engagements.get()
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, "objection",
                               objection_to="particular_situation", details="My address must not be kept.")
    assert not request.direct_marketing and not request.objected_activities.exists()
    # Staff weigh the grounds and name the processing they decided to stop on the request's page.
    _change_form_post(admin, f"{LIST}{request.pk}/change/", objected_activities=[str(processing.activity_id)])
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED and request.outcome == Outcome.DONE
    processing.refresh_from_db()
    assert processing.unsubscribed_on is not None


def test_consent_withdrawal(dpo, organisation, person, django_capture_on_commit_callbacks):
    visitor, admin = dpo
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, "consent_withdrawal")
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED
    assert "completed" in last_mail_to(ADDRESS).subject.lower()


def test_unknown_address_is_answered_that_nothing_is_held(dpo, organisation, person,
                                                          django_capture_on_commit_callbacks):
    visitor, admin = dpo
    request = _ask_and_confirm(visitor, organisation, django_capture_on_commit_callbacks, "erasure",
                               address="stranger@example.com")
    assert request.subject_id is None
    request = _approve(admin, request, django_capture_on_commit_callbacks)
    assert request.status == Status.COMPLETED and request.outcome == Outcome.NOTHING_HELD
    assert DataSubject.objects.get(pk=person.pk).state == DataSubject.State.ACTIVE
