"""Consent evidence (Art. 7), the cookie inventory, and the privacy notice generated from the register.

Design note.
- ``ConsentRecord`` is the current state: one row per person (or pseudonymous website visitor) and consent
  purpose, enforced by two conditional unique constraints. ``ConsentEvent`` is the evidence: one row per
  change, appended by ``consent.services`` and never updated there. On PostgreSQL a trigger (migration 0002)
  refuses any UPDATE of an event other than the erasure engine's scrub of its personal columns (IP prefix,
  user agent, visitor id), so the history of a consent cannot be rewritten even by mistake.
- Evidence holds the least that proves the consent: the notice version shown, a SHA-256 of the wording, the IP
  address truncated to its network (/24 for IPv4, /48 for IPv6) and a truncated user agent.
- A purpose's wording carries a hash and a version number; a consent given under another hash is *stale*
  (``selectors.records_stale``): still recorded, shown as such, and the DPO may ask the person again.
- The notice's published versions are immutable: text per language, a hash over all of them, who published.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from privacy_registry.markets import ShownInLanguages
from privacy_registry.models import DataSubjectCategory, Organisation, Purpose, System, Vendor
from subjects.models import DataSubject

USER_AGENT_MAX_LENGTH = 300


def wording_digest(text: str) -> str:
    """SHA-256 of a wording, whitespace-normalised so that re-wrapping a line is not a new wording."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class CookieCategory(models.TextChoices):
    # A cookie whose policy gives it no category needs consent like any other that is not necessary: only a
    # cookie the organisation calls necessary is exempt (ePrivacy Art. 5(3)), so "not stated" is never read as it.
    NOT_STATED = "not_stated", _("Not stated")
    NECESSARY = "necessary", _("Necessary")
    PREFERENCES = "preferences", _("Preferences")
    STATISTICS = "statistics", _("Statistics")
    MARKETING = "marketing", _("Marketing")


class Method(models.TextChoices):
    FORM = "form", _("Web form")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in (confirmed by e-mail)")
    BANNER = "banner", _("Cookie banner")
    PAPER = "paper", _("Paper form")
    PHONE = "phone", _("Phone")
    EMAIL_LINK = "email_link", _("Link in an e-mail")
    RIGHTS_REQUEST = "rights_request", _("Rights request")


class ConsentSettings(models.Model):
    """Consent-side settings of one organisation (kept here, not on the register's Organisation)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="consent_settings", verbose_name=_("organisation"),
    )
    allowed_origins = models.TextField(
        _("website origins allowed to call the cookie-consent endpoint"), blank=True,
        help_text=_("One origin a line, scheme and host, e.g. https://www.example.com. Others are refused."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent settings")
        verbose_name_plural = _("consent settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(line.strip().rstrip("/").lower() for line in self.allowed_origins.splitlines() if line.strip())


class NoticeVersion(models.Model):
    """A published privacy notice, generated from the register: immutable once written."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="notice_versions", verbose_name=_("organisation"),
    )
    number = models.PositiveIntegerField(_("version"))
    texts = models.JSONField(_("text per language"), default=dict)
    htmls = models.JSONField(_("page per language"), default=dict)
    sha256 = models.CharField(_("SHA-256 of the texts"), max_length=64)
    gaps = models.JSONField(
        _("items the register left empty when published"), default=list,
        help_text=_("The completeness report at publication: what the notice could not say."),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["organisation", "-number"]
        verbose_name = _("notice version")
        verbose_name_plural = _("notice versions")
        # Publishing is the DPO's decision, not a plain "add": the roles give it to the DPO only.
        permissions = [("publish_noticeversion", _("Can publish the privacy notice"))]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="notice_version_unique_number"),
        ]

    def __str__(self) -> str:
        return str(_("Notice v%(number)s") % {"number": self.number})

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts.get(settings.LANGUAGE_CODE, "")

    def html(self, language: str) -> str:
        return self.htmls.get(language) or self.htmls.get(settings.LANGUAGE_CODE, "")


class ConsentPurpose(ShownInLanguages, models.Model):
    """Something a person consents to (a newsletter, marketing e-mail, statistics cookies…), linked to the
    register's purposes whose basis is Art. 6(1)(a). Asked in some markets only: ``languages``."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consent_purposes", verbose_name=_("organisation"),
    )
    key = models.SlugField(_("key"), max_length=60, help_text=_("Stable short name, used by forms and the API."))
    name = models.CharField(_("name"), max_length=200)
    wording = models.TextField(
        _("wording shown to the person"),
        help_text=_("Changing it makes earlier consents stale: they are shown as such and can be asked again."),
    )
    wording_hash = models.CharField(_("SHA-256 of the wording"), max_length=64, editable=False)
    wording_version = models.PositiveIntegerField(_("wording version"), default=1, editable=False)
    register_purposes = models.ManyToManyField(
        Purpose, blank=True, related_name="consent_purposes", verbose_name=_("register purposes (basis (a))"),
        limit_choices_to={"legal_basis": "a"},
    )
    cookie_category = models.CharField(
        _("cookie category"), max_length=20, choices=CookieCategory.choices, blank=True,
        help_text=_("For the cookie banner: the category this consent covers (one purpose per category)."),
    )
    subject_category = models.ForeignKey(
        DataSubjectCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="consent_purposes",
        verbose_name=_("audience"), help_text=_("Its minimum age, if any, is asked to be confirmed."),
    )
    double_opt_in = models.BooleanField(
        _("double opt-in"), default=False,
        help_text=_("Consent counts only once the person confirms it through the link e-mailed to them."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="consent_purpose_unique_key"),
            models.UniqueConstraint(
                fields=["organisation", "cookie_category"], condition=~Q(cookie_category=""),
                name="consent_purpose_unique_cookie_category",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def minimum_age(self) -> int | None:
        return self.subject_category.minimum_age if self.subject_category_id else None


class ConsentRecord(models.Model):
    """The current state of one person's (or visitor's) consent to one purpose."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation (not consent yet)")
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    purpose = models.ForeignKey(
        ConsentPurpose, on_delete=models.PROTECT, related_name="records", verbose_name=_("consent purpose"),
    )
    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, null=True, blank=True, related_name="consents",
        verbose_name=_("data subject"),
    )
    visitor_id = models.CharField(
        _("pseudonymous visitor id"), max_length=64, blank=True,
        help_text=_("For cookie choices: the banner's random id for a browser, not linked to a person."),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, db_index=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    given_at = models.DateTimeField(_("given at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    notice_version = models.ForeignKey(
        NoticeVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("notice version shown"),
    )
    wording_hash = models.CharField(_("SHA-256 of the wording agreed to"), max_length=64, blank=True)
    wording_version = models.PositiveIntegerField(_("wording version agreed to"), null=True, blank=True)
    age_confirmed = models.BooleanField(_("age confirmed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject__isnull=False) & Q(visitor_id="")) | (Q(subject__isnull=True) & ~Q(visitor_id="")),
                name="consent_record_subject_or_visitor",
            ),
            models.UniqueConstraint(
                fields=["purpose", "subject"], condition=Q(subject__isnull=False),
                name="consent_record_unique_subject_purpose",
            ),
            models.UniqueConstraint(
                fields=["purpose", "visitor_id"], condition=~Q(visitor_id=""),
                name="consent_record_unique_visitor_purpose",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Consent #%(id)s") % {"id": self.pk})

    @property
    def in_force(self) -> bool:
        """Consent that counts: given (and, for double opt-in, confirmed: a pending one is not consent)."""
        return self.state == self.State.GIVEN

    @property
    def is_stale(self) -> bool:
        return self.in_force and self.wording_hash != self.purpose.wording_hash


class ConsentEvent(models.Model):
    """One change of a consent, with its evidence. Append-only."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Given, confirmation requested")
        GIVEN = "given", _("Given")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    record = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("consent"))
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("consent purpose"))
    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, null=True, blank=True, related_name="consent_events",
        verbose_name=_("data subject"),
    )
    visitor_id = models.CharField(_("pseudonymous visitor id"), max_length=64, blank=True)
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    notice_version = models.ForeignKey(
        NoticeVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("notice version shown"),
    )
    wording_hash = models.CharField(_("SHA-256 of the wording"), max_length=64, blank=True)
    ip_prefix = models.CharField(_("IP network (truncated)"), max_length=50, blank=True)
    user_agent = models.CharField(_("user agent (truncated)"), max_length=USER_AGENT_MAX_LENGTH, blank=True)
    age_confirmed = models.BooleanField(_("age confirmed"), null=True, blank=True)
    gpc_applied = models.BooleanField(_("Global Privacy Control applied"), default=False)
    gpc_conflict = models.BooleanField(
        _("Global Privacy Control conflicted with a choice"), default=False,
        help_text=_("The browser sent Sec-GPC: 1 while the visitor's stored or posted choice allowed marketing."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True,
                              help_text=_("Fixed words and ids, e.g. 'request #12'."))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["purpose", "at"], name="consent_event_purpose_at_idx")]

    def __str__(self) -> str:
        return str(_("Consent event #%(id)s") % {"id": self.pk})


class Cookie(ShownInLanguages, models.Model):
    """One cookie (or similar technology) of an organisation's website, as its cookie table states it. Set on
    some markets' sites only: ``languages``."""

    class Party(models.TextChoices):
        NOT_STATED = "not_stated", _("Not stated")
        FIRST = "first", _("First party")
        THIRD = "third", _("Third party")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="cookies", verbose_name=_("organisation"),
    )
    name = models.CharField(_("name or pattern"), max_length=300)
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="cookies", verbose_name=_("service"),
    )
    system = models.ForeignKey(
        System, on_delete=models.PROTECT, null=True, blank=True, related_name="cookies", verbose_name=_("system"),
    )
    category = models.CharField(
        _("category"), max_length=20, choices=CookieCategory.choices, default=CookieCategory.NOT_STATED,
        help_text=_("As the cookie policy states it. 'Not stated' needs consent: only 'necessary' is exempt."),
    )
    purpose = models.TextField(_("purpose"))
    retention = models.CharField(_("retention, as stated"), max_length=300, blank=True)
    party = models.CharField(
        _("first or third party"), max_length=10, choices=Party.choices, default=Party.NOT_STATED,
        help_text=_("As the cookie policy states it; 'not stated' until it does."),
    )
    # history: registered in translation.py, after the translated fields (simple-history's documented way
    # with django-modeltranslation), so the history rows keep every language.

    class Meta:
        ordering = ["organisation", "category", "name"]
        verbose_name = _("cookie")
        verbose_name_plural = _("cookies")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="cookie_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_consent(self) -> bool:
        """Only a cookie stated to be necessary is set without consent; one whose category is not stated needs it."""
        return self.category != CookieCategory.NECESSARY
