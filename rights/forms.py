"""The public request form: which right, the requester's e-mail, and what the right needs in words.

Bot protection needs no outside service:
- a honeypot field (``website``) that people do not see (it is moved off-screen by the stylesheet and hidden
  from assistive technology) and bots fill in;
- a signed timestamp (``started``) issued when the form is shown: a submission sooner than
  ``RIGHTS_FORM_MIN_SECONDS`` after it (bots post at once), from a form older than
  ``RIGHTS_FORM_MAX_AGE_HOURS``, or with a stamp that is not ours is refused with a form error in the visitor's
  language. The form is shown again with a fresh stamp, so a person only has to send it again.
- each stamp is accepted once: it carries a random nonce, and the first submission that passes the stamp's checks
  records the stamp's SHA-256 in the cache (``cache.add``, atomic: Redis's SET NX when ``REDIS_URL`` is set, so
  every web process sees it; local memory in the one development process) for as long as a stamp lives. A stamp
  sent again is refused like the others, so one fetched form cannot be replayed for hundreds of posts. Should the
  cache fail, the stamp is accepted (and a warning logged): the rate limits still count, and a visitor is never
  shown a server error for it.

Input never reaches the database raw: NUL and other control characters (except line breaks and tabs) and lone
surrogates are dropped, lengths are capped, the e-mail is validated. Nothing here says whether an address is
known: the form does not look it up.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .models import RequestType

DETAILS_MAX_LENGTH = 5000
EMAIL_MAX_LENGTH = 254
STAMP_SALT = "rights.public-request-form"
STAMP_CACHE_PREFIX = "rights.form-stamp-used:"

logger = logging.getLogger(__name__)

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; lone surrogates (not encodable).
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# What each right needs in words: these types require the details field (an objection to direct marketing
# needs no reasons, Art. 21(3)).
DETAILS_REQUIRED = {RequestType.RECTIFICATION, RequestType.OBJECTION}

# What an objection is to: direct marketing stops without reasons or weighing (Art. 21(2)-(3)); other processing
# is weighed against the grounds relating to the person's particular situation (Art. 21(1)).
DIRECT_MARKETING, PARTICULAR_SITUATION = "direct_marketing", "particular_situation"
OBJECTION_TO_CHOICES = [
    (DIRECT_MARKETING, _("My objection is to direct marketing: stop it at once (Art. 21(2)).")),
    (PARTICULAR_SITUATION, _(
        "My objection is to other processing, on grounds relating to my particular situation (Art. 21(1))."
    )),
]

# One sentence per right, shown under its choice.
RIGHT_HELP = {
    RequestType.ACCESS: _("Get a copy of the personal data we hold about you and how we use it."),
    RequestType.RECTIFICATION: _("Have data about you that is wrong or incomplete corrected."),
    RequestType.ERASURE: _("Have your personal data deleted."),
    RequestType.RESTRICTION: _("Have us keep your data but stop using it for now."),
    RequestType.OBJECTION: _("Object to our use of your data, for example for direct marketing."),
    RequestType.PORTABILITY: _("Get the data you gave us in a machine-readable file."),
    RequestType.CONSENT_WITHDRAWAL: _("Withdraw consent you have given us."),
}


def issue_stamp() -> str:
    """A signed "the form was shown now" value for the ``started`` field, with a nonce that makes it unique."""
    return signing.TimestampSigner(salt=STAMP_SALT).sign(f"{time.time():.3f}:{secrets.token_urlsafe(12)}")


def _stamp_first_use(stamp: str, *, max_age: int) -> bool:
    """Record the stamp as used; whether this was its first use. Only the stamp's digest goes into the cache."""
    key = STAMP_CACHE_PREFIX + hashlib.sha256(stamp.encode()).hexdigest()
    try:
        # Kept a minute longer than a stamp is accepted, so it cannot come back between the two.
        return cache.add(key, 1, timeout=max_age + 60)
    except Exception as exc:  # the cache backend's errors vary (Redis down); the form must not answer 500
        logger.warning("rights form: the stamp could not be recorded as used (%s); accepted", type(exc).__name__)
        return True


def clean_text(value: str) -> str:
    """``value`` without NUL, other control characters and lone surrogates, stripped."""
    return _UNWANTED.sub("", value or "").strip()


class CleanCharField(forms.CharField):
    """A CharField that drops unwanted characters before validation (so a NUL is removed, not a server error)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value)
        return super().to_python(value)


class CleanEmailField(forms.EmailField):
    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value)
        return super().to_python(value)


class RightChoiceWidget(forms.RadioSelect):
    """Radio buttons whose options carry a one-line explanation (``option.data.help`` in the template)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        option["help"] = RIGHT_HELP.get(value, "")
        option["attrs"]["aria-describedby"] = f"{option['attrs'].get('id', '')}_help"
        return option


class RequestForm(forms.Form):
    type = forms.ChoiceField(
        label=_("What would you like us to do?"),
        choices=RequestType.choices,
        widget=RightChoiceWidget,
        error_messages={
            "required": _("Choose the right you want to use."),
            "invalid_choice": _("Choose one of the rights listed."),
        },
    )
    email = CleanEmailField(
        label=_("Your e-mail address"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("We send a link to this address. Your request goes ahead only once you open it."),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a valid e-mail address, like name@example.com."),
            "max_length": _("This e-mail address is too long."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    details = CleanCharField(
        label=_("Details"),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        error_messages={"max_length": _("Please keep the details to %(limit_value)d characters or fewer.")},
        help_text=_(
            "For a correction: what is wrong and what it should say. For an objection: what you object to and "
            "why. Otherwise optional."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    objection_to = forms.ChoiceField(
        label=_("If you object: what do you object to?"),
        choices=OBJECTION_TO_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the kinds of objection listed.")},
    )
    # Honeypot: people never see it (see the module's note). Named like a field bots like to fill.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = issue_stamp()

    def clean_started(self) -> str:
        value = self.cleaned_data.get("started") or ""
        max_age = settings.RIGHTS_FORM_MAX_AGE_HOURS * 3600
        try:
            signed = signing.TimestampSigner(salt=STAMP_SALT).unsign(value, max_age=max_age)
            started = float(signed.split(":", 1)[0])
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _("This form was open for a long time. Please check it and send it again."), code="stale"
            ) from None
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError(
                _("We could not accept the form. Please send it again."), code="bad_stamp"
            ) from None
        if time.time() - started < settings.RIGHTS_FORM_MIN_SECONDS:
            raise forms.ValidationError(
                _("That was very quick. Please check the form and send it again."), code="too_fast"
            )
        if not _stamp_first_use(value, max_age=max_age):
            raise forms.ValidationError(
                _("This form has been sent already. Please check it and send it again."), code="reused"
            )
        return value

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("We could not accept the form. Please send it again."), code="honeypot")
        return ""

    def clean(self):
        cleaned = super().clean()
        objection = cleaned.get("type") == RequestType.OBJECTION
        if objection and not cleaned.get("objection_to") and "objection_to" not in self.errors:
            self.add_error("objection_to", forms.ValidationError(
                _("Tell us whether you object to direct marketing or to other processing."), code="required",
            ))
        # What the services take: an objection to direct marketing, or not.
        cleaned["direct_marketing"] = objection and cleaned.get("objection_to") == DIRECT_MARKETING
        needs_details = (
            cleaned.get("type") in DETAILS_REQUIRED and not cleaned["direct_marketing"]
            and not (objection and not cleaned.get("objection_to"))
        )
        if needs_details and not cleaned.get("details"):
            message = (
                _("Tell us what is wrong and what it should say.")
                if cleaned["type"] == RequestType.RECTIFICATION
                else _("Tell us which processing you object to and the grounds relating to your situation.")
            )
            self.add_error("details", forms.ValidationError(message, code="details_required"))
        return cleaned

    @property
    def check_errors(self) -> list[str]:
        """Errors of the hidden checks (stamp, honeypot), shown at the top of the form."""
        return [*self.errors.get("started", []), *self.errors.get("website", [])]

    def renew_stamp(self) -> None:
        """Put a fresh stamp (and an empty honeypot) into a bound form before it is shown again, so the minimum
        time counts from this showing."""
        data = self.data.copy()
        data["started"] = issue_stamp()
        data["website"] = ""
        self.data = data
