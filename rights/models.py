"""Data subjects' requests (Art. 12-22): the request, its timeline, clock pauses and single-use tokens.

- ``RightsRequest`` keeps the three parts of the legal deadline apart: when it was received (``received_at``),
  the pauses (``ClockPause`` rows) and the computed due date (``due_on``; ``extended_due_on`` once extended).
  ``rights.services`` recomputes ``due_on`` from the received date and the paused days through
  ``rights.deadlines.due_date``; nothing here computes it.
- The request is matched to a person only when verified; the match is written into the request's earlier
  historical rows too (``rights.services``), so the erasure engine, which reaches history through the subject,
  scrubs every copy of the requester's e-mail and words. Unverified requests lose the e-mail on a schedule,
  closed ones are minimised after a period.
- ``RequestExport`` is the access / portability ZIP, kept server-side until the link expires. It has no
  history on purpose: a second copy of everything held on a person is exactly what must not pile up. Erasing
  the person deletes it (a declared row deletion), and so does minimisation.
- ``RequestToken`` stores the SHA-256 of a random nonce, never the nonce: the link in the e-mail is the only
  copy. A token is consumed by one conditional UPDATE, so two clicks cannot both act.
- ``__str__`` is a number, never a person: it ends up in the admin log, messages and logs.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from privacy_registry.models import Organisation, ProcessingActivity
from subjects.models import DataSubject


class RequestType(models.TextChoices):
    ACCESS = "access", _("Access (Art. 15)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    ERASURE = "erasure", _("Erasure (Art. 17)")
    RESTRICTION = "restriction", _("Restriction of processing (Art. 18)")
    OBJECTION = "objection", _("Objection (Art. 21)")
    PORTABILITY = "portability", _("Data portability (Art. 20)")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("Withdrawal of consent (Art. 7(3))")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    PHONE = "phone", _("Phone")


class Status(models.TextChoices):
    # The Data Rights Protocol's vocabulary where it fits (needs_user_verification, open, in_progress,
    # fulfilled, denied, revoked, expired), in the words of the GDPR.
    AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")
    EXPIRED = "expired", _("Expired (never verified)")


OPEN_STATUSES = (Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.AWAITING_APPROVAL, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.COMPLETED, Status.REFUSED, Status.WITHDRAWN, Status.EXPIRED)


class VerificationMethod(models.TextChoices):
    NONE = "", _("Not verified")
    EMAIL_LINK = "email_link", _("Single-use link sent to the e-mail address")
    STAFF = "staff", _("Checked by staff (e.g. identity document, call back)")


class RefusalGround(models.TextChoices):
    NONE = "", _("—")
    # Denial reasons after the Data Rights Protocol (insufficient_verification, too_many_requests, ...), in law.
    UNFOUNDED = "unfounded", _("Art. 12(5) manifestly unfounded")
    EXCESSIVE = "excessive", _("Art. 12(5) excessive, in particular repetitive")
    IDENTITY = "identity", _("Art. 12(6) identity could not be confirmed")
    EXPRESSION = "expression", _("Art. 17(3)(a) freedom of expression and information")
    LEGAL_OBLIGATION = "legal_obligation", _("Art. 17(3)(b) legal obligation or public task")
    PUBLIC_HEALTH = "public_health", _("Art. 17(3)(c) public interest in public health")
    ARCHIVING = "archiving", _("Art. 17(3)(d) archiving, research or statistics")
    LEGAL_CLAIMS = "legal_claims", _("Art. 17(3)(e) establishment, exercise or defence of legal claims")


class Outcome(models.TextChoices):
    NONE = "", _("—")
    DONE = "done", _("Done in full")
    PARTIAL = "partial", _("Done in part (the reason is recorded)")
    NOTHING_HELD = "nothing_held", _("Nothing held on the requester")


class RightsRequest(models.Model):
    public_ref = models.UUIDField(
        _("public reference"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("Quoted to the requester and in logs; reveals nothing about them."),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="rights_requests", verbose_name=_("organisation")
    )
    type = models.CharField(_("right"), max_length=20, choices=RequestType.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    email = models.EmailField(
        _("requester's e-mail"), max_length=254, null=True, blank=True,
        help_text=_("Purged from unverified requests once the link expires, and from completed ones later."),
    )
    details = models.TextField(
        _("details"), blank=True, help_text=_("What to correct, what the objection is about, or other details."),
    )
    language = models.CharField(
        _("language"), max_length=16, default="en", help_text=_("Language code, e.g. en, sv, da.")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.AWAITING_VERIFICATION, db_index=True
    )
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    verification_method = models.CharField(
        _("verified how"), max_length=20, choices=VerificationMethod.choices, blank=True
    )
    subject = models.ForeignKey(
        DataSubject, on_delete=models.SET_NULL, null=True, blank=True, related_name="rights_requests",
        verbose_name=_("matched data subject"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    extended_due_on = models.DateField(_("extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_months = models.PositiveSmallIntegerField(_("extended by (months)"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    refusal_ground = models.CharField(
        _("refusal ground"), max_length=20, choices=RefusalGround.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    response = models.TextField(_("response sent"), blank=True)
    direct_marketing = models.BooleanField(
        _("objection to direct marketing (Art. 21(2))"), default=False,
        help_text=_("Direct marketing stops at once, without weighing grounds (Art. 21(3))."),
    )
    objected_activities = models.ManyToManyField(
        ProcessingActivity, blank=True, related_name="+", verbose_name=_("processing objected to"),
        help_text=_("The activities the objection is about; their processing of the person stops."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("handled by"),
    )
    likely_duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="likely_duplicates",
        verbose_name=_("likely duplicate of"),
    )
    # When the request was last taken for execution (the claim): a request still "in progress" long after it was
    # interrupted, and is taken again (rights.services.execution).
    execution_started_at = models.DateTimeField(_("taken for execution at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    minimised_at = models.DateTimeField(_("minimised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        indexes = [
            models.Index(fields=["organisation", "status"], name="rights_request_org_status_idx"),
            models.Index(fields=["subject", "type", "received_at"], name="rights_request_dup_idx"),
        ]
        permissions = [
            ("decide_rightsrequest", _("Can approve, execute and refuse rights requests")),
        ]

    def __str__(self) -> str:
        if self.pk is None:
            return str(_("New rights request"))
        return str(_("Request #%(id)s") % {"id": self.pk})

    @property
    def effective_due_on(self):
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_left(self, today=None) -> int | None:
        due = self.effective_due_on
        if due is None:
            return None
        return (due - (today or timezone.localdate())).days

    def is_overdue(self, today=None) -> bool:
        left = self.days_left(today)
        return self.is_open and left is not None and left < 0


class RequestEvent(models.Model):
    """One step in a request's timeline. Notes are fixed words and ids; the e-mail and details never go here."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Received")
        LOGGED = "logged", _("Logged by staff")
        VERIFIED = "verified", _("Identity verified")
        MATCHED = "matched", _("Matched to a data subject")
        NOT_MATCHED = "not_matched", _("No data subject matched")
        DUPLICATE = "duplicate", _("Flagged as a likely duplicate")
        QUEUED = "queued", _("Queued for approval")
        APPROVED = "approved", _("Approved")
        EXECUTED = "executed", _("Executed")
        RETRIED = "retried", _("Taken again after an interrupted execution")
        EXPORT_READY = "export_ready", _("Export ready for download")
        EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
        EXTENDED = "extended", _("Deadline extended")
        PAUSED = "paused", _("Clock paused")
        RESUMED = "resumed", _("Clock resumed")
        REFUSED = "refused", _("Refused")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired unverified")
        MINIMISED = "minimised", _("Minimised")
        MAILED = "mailed", _("E-mail sent to the requester")

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request timeline")

    def __str__(self) -> str:
        return str(_("Event #%(id)s of request #%(request)s") % {"id": self.pk, "request": self.request_id})


class ClockPause(models.Model):
    """A stretch during which the deadline does not run (identity or clarification awaited)."""

    class Reason(models.TextChoices):
        IDENTITY = "identity", _("Identity awaited (Art. 12(6))")
        CLARIFICATION = "clarification", _("Clarification of the request awaited")

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("request")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    started_at = models.DateTimeField(_("paused at"), default=timezone.now)
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(ended_at=None), name="rights_one_open_pause"),
        ]

    def __str__(self) -> str:
        return str(_("Pause #%(id)s of request #%(request)s") % {"id": self.pk, "request": self.request_id})


class RequestToken(models.Model):
    """A single-use link: the SHA-256 of a random nonce the requester received; consumed with one UPDATE."""

    class Purpose(models.TextChoices):
        VERIFY = "verify", _("Confirm the request")
        DOWNLOAD = "download", _("Download the export")

    request = models.ForeignKey(
        RightsRequest, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("request")
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    digest = models.CharField(_("SHA-256 of the nonce"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    consumed_at = models.DateTimeField(_("used at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request link")
        verbose_name_plural = _("request links")

    def __str__(self) -> str:
        return str(_("Link #%(id)s of request #%(request)s") % {"id": self.pk, "request": self.request_id})


class RequestExport(models.Model):
    """The access / portability export (a ZIP of JSON and CSV), held until its download link expires.

    No history (see the module's note): the row is the only copy, and deleting it deletes the export.
    """

    request = models.OneToOneField(
        RightsRequest, on_delete=models.CASCADE, related_name="export", verbose_name=_("request")
    )
    filename = models.CharField(_("file name"), max_length=100)
    content = models.BinaryField(_("ZIP"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("bytes"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request export")
        verbose_name_plural = _("request exports")

    def __str__(self) -> str:
        return str(_("Export of request #%(request)s") % {"request": self.request_id})
