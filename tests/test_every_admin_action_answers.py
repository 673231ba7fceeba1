"""Every action of every registered ModelAdmin answers without a server error, and says what it did.

The walk reads ``admin.site._registry`` at collection, so an admin or an action added later is walked too. For each
admin, a superuser (who is offered every action) runs each action offered on its changelist once, with one object
selected, built by tests/factories.py in a state the action acts on. An action that shows an intermediate page (a
form, or "are you sure?") is confirmed by sending that page's own form back, as a browser would: its hidden
selection and values, the first choice of each list, and a filler for an empty required text. The final answer
must not be a 5xx, and an action that completes (a redirect back to the list) must have left a message.

Nothing is skipped silently: an admin that offers an action and has no builder below fails the test, naming it.
A message formatted wrongly (a tuple instead of ngettext_lazy: "Pause the clock" answered 500 after saving) or an
exception after the work is done fails here.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from rights import services as rights_services
from rights.models import RequestType, Status
from tests import factories as f

pytestmark = pytest.mark.django_db

ADMINS = sorted(admin.site._registry, key=lambda model: model._meta.label)
FILLER = "Ticket 4711"


@pytest.fixture(autouse=True)
def _quiet_side_effects(settings, enqueued):
    # Mails go to the locmem outbox, tasks run in-process, vendor follow-ups are collected (conftest's ``enqueued``).
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _awaiting_approval(**kwargs):
    subject = f.DataSubjectFactory()
    values = {"organisation": subject.organisation, "subject": subject, "email": subject.email,
              "status": Status.AWAITING_APPROVAL, "verified_at": timezone.now(), **kwargs}
    return f.RightsRequestFactory(**values)


def _paused_request():
    request = _awaiting_approval()
    rights_services.request_pause(request=request, reason="clarification", actor=None)
    return request


def _subject_with_an_event_rule():
    rule = f.RetentionRuleFactory(trigger="event", trigger_event="a person under the minimum age is discovered",
                                  period_amount=0, period_unit="days", enabled=False)
    return f.EngagementFactory(activity=rule.activity, subject__organisation=rule.activity.organisation).subject


# One object per admin, in the state its actions act on. A model missing here fails the test for its admin.
BUILDERS: dict[str, Callable] = {
    "auth.Group": f.GroupFactory,
    "auth.User": f.UserFactory,
    "otp_totp.TOTPDevice": f.TOTPDeviceFactory,
    "otp_static.StaticDevice": f.StaticDeviceFactory,
    "axes.AccessAttempt": f.AccessAttemptFactory,
    "axes.AccessLog": f.AccessLogFactory,
    "axes.AccessFailureLog": f.AccessFailureLogFactory,
    "privacy_registry.Country": f.CountryFactory,
    "privacy_registry.Office": f.OfficeFactory,
    "privacy_registry.CorporateGroup": f.CorporateGroupFactory,
    "privacy_registry.Organisation": f.OrganisationFactory,
    "privacy_registry.PrivacyContact": f.PrivacyContactFactory,
    "privacy_registry.DataSubjectCategory": f.DataSubjectCategoryFactory,
    "privacy_registry.PersonalDataCategory": f.PersonalDataCategoryFactory,
    "privacy_registry.Vendor": f.VendorFactory,
    "privacy_registry.System": f.SystemFactory,
    "privacy_registry.SecurityMeasure": f.SecurityMeasureFactory,
    "privacy_registry.ProcessingActivity": f.ProcessingActivityFactory,
    "privacy_registry.Purpose": f.PurposeFactory,
    "privacy_registry.Transfer": f.TransferFactory,
    "privacy_registry.Recipient": f.RecipientFactory,
    "privacy_registry.DataSource": f.DataSourceFactory,
    "privacy_registry.Incident": f.IncidentFactory,
    "subjects.DataSubject": f.DataSubjectFactory,
    "subjects.Suppression": f.SuppressionFactory,
    "retention.RetentionRule": f.RetentionRuleFactory,
    "retention.LegalHold": f.LegalHoldFactory,
    "retention.ProcessorErasure": f.ProcessorErasureFactory,
    "retention.SystemErasureChannel": f.SystemErasureChannelFactory,
    "retention.RetentionEvent": f.RetentionEventFactory,
    "consent.ConsentPurpose": f.ConsentPurposeFactory,
    "consent.ConsentRecord": f.ConsentRecordFactory,
    "consent.Cookie": f.CookieFactory,
    "consent.ConsentSettings": f.ConsentSettingsFactory,
    "rights.RightsRequest": _awaiting_approval,
}

# Where an action acts only on objects in another state than the admin's usual one.
ACTION_BUILDERS: dict[tuple[str, str], Callable] = {
    ("rights.RightsRequest", "verify"): f.RightsRequestFactory,  # awaiting verification
    ("rights.RightsRequest", "resume_clock"): _paused_request,
    ("rights.RightsRequest", "complete"): lambda: _awaiting_approval(type=RequestType.RECTIFICATION,
                                                                     status=Status.IN_PROGRESS),
    ("rights.RightsRequest", "extend"): lambda: _awaiting_approval(
        received_at=timezone.now(), due_on=timezone.localdate() + timedelta(days=20)),
    ("subjects.DataSubject", "record_event"): _subject_with_an_event_rule,
    # In progress with no time of the claim: an execution that was interrupted.
    ("rights.RightsRequest", "carry_out_again"): lambda: _awaiting_approval(status=Status.IN_PROGRESS),
}


class _ActionForm(HTMLParser):
    """The values a browser would send from the page's form that carries the action (its hidden ``action``)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"data": {}, "lists": {}, "empty_required": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                if kind == "radio":
                    self._form["data"].setdefault(name, a.get("value", "on"))
                return
            value = a.get("value", "")
            self._form["lists"].setdefault(name, []).append(value)
            if not value and "required" in a:
                self._form["empty_required"].add(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and self._select not in self._form["data"]:
            if a.get("value"):
                self._form["data"][self._select] = a["value"]
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["lists"].setdefault(name, []).append("")
            if "required" in a:
                self._form["empty_required"].add(name)

    def handle_data(self, data):
        if self._form is not None and self._textarea and data.strip():
            self._form["lists"][self._textarea][-1] += data
            self._form["empty_required"].discard(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None

    def action_form(self) -> dict | None:
        for form in self.forms:
            if "action" in form["lists"] or "action" in form["data"]:
                data = {**form["data"], **{k: v if len(v) > 1 else v[0] for k, v in form["lists"].items()}}
                for name in form["empty_required"]:
                    data[name] = FILLER
                return data
        return None


def _offered(client, changelist: str) -> list[str]:
    form = client.get(changelist).context["action_form"]
    return [name for name, _label in form.fields["action"].choices if name] if form is not None else []


def _is_download(response) -> bool:
    return "attachment" in response.get("Content-Disposition", "")


@pytest.mark.parametrize("model", ADMINS, ids=[m._meta.label for m in ADMINS])
def test_every_action_answers_and_says_what_it_did(superuser_client, model):
    label = model._meta.label
    superuser_client.raise_request_exception = False  # a server error is an answer here: collected, then reported
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    actions = _offered(superuser_client, changelist)
    problems = []
    for action in actions:
        builder = ACTION_BUILDERS.get((label, action)) or BUILDERS.get(label)
        if builder is None:
            pytest.fail(f"{label} ({type(admin.site._registry[model]).__name__}) offers {action!r}, and "
                        f"tests/test_every_admin_action_answers.py has no builder for it: add a factory and a line "
                        f"to BUILDERS")
        obj = builder()
        response = superuser_client.post(changelist, {"action": action, helpers.ACTION_CHECKBOX_NAME: [obj.pk]})
        if response.status_code >= 500:
            problems.append(f"{action}: {response.status_code} on the first post")
            continue
        if response.status_code == 200 and not _is_download(response):
            confirm = _ActionForm()
            confirm.feed(response.content.decode())
            data = confirm.action_form()
            if data is None:
                problems.append(f"{action}: a page without a form to confirm, nor a message")
                continue
            response = superuser_client.post(changelist, data)
        if response.status_code >= 500:
            problems.append(f"{action}: {response.status_code} after confirming")
        elif _is_download(response):
            continue
        elif response.status_code != 302:
            problems.append(f"{action}: {response.status_code} after confirming (the form refused what a browser "
                            f"would send?)")
        elif not list(get_messages(response.wsgi_request)):
            problems.append(f"{action}: completed without a message")
    assert not problems, f"{label}: " + "; ".join(problems)
