"""People as the organisation holds them: data subjects, the processing they are in, where else their
data sits, and the suppression list of erased identities.

Which of these fields are personal data, and how each is scrubbed, is declared once in
``subjects.personal_data`` (see ``SubjectsConfig.ready``); the erasure engine in ``retention`` applies
those declarations. Nothing here prints a person: ``__str__`` is a number, because it ends up in the
admin's LogEntry ``object_repr``, in messages and in logs.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from privacy_registry.models import Country, DataSubjectCategory, Organisation, ProcessingActivity, System


class DataSubject(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        RESTRICTED = "restricted", _("Restricted (Art. 18): kept, excluded from all processing")
        ERASED = "erased", _("Erased")

    public_ref = models.UUIDField(
        _("public reference"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("Identifies the record in exports and receipts without revealing who it is."),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="subjects",
        verbose_name=_("controller holding the data"),
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    company = models.CharField(_("company or organisation"), max_length=200, blank=True)
    job_title = models.CharField(_("job title or role"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=16, blank=True, help_text=_("Language code, e.g. en, sv, da.")
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("country")
    )
    categories = models.ManyToManyField(
        DataSubjectCategory, blank=True, related_name="subjects", verbose_name=_("categories")
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ACTIVE, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Categories are classification, not identity: leaving them out of history keeps one historical row
    # per save, which halves what an erasure has to scrub.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("data subject")
        verbose_name_plural = _("data subjects")
        indexes = [
            # Search by e-mail compares lower(email): this index serves it on SQLite and PostgreSQL. On
            # PostgreSQL a text_pattern_ops twin serves prefix search too (migration 0002).
            models.Index(Lower("email"), name="subject_email_lower_idx"),
            models.Index(fields=["organisation", "state"], name="subject_org_state_idx"),
        ]
        permissions = [
            ("override_suppression", _("Can re-create an erased (suppressed) person, giving a reason")),
            # Its own permission, apart from erasure: a restriction keeps the data, so it can be granted alone.
            ("restrict_datasubject", _("Can restrict processing of a data subject (Art. 18)")),
        ]

    def __str__(self) -> str:
        if self.pk is None:
            return str(_("New data subject"))
        return str(_("Subject #%(id)s") % {"id": self.pk})

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Engagement(models.Model):
    """A subject in one processing activity, with the dates a retention clock can start from."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="engagements", verbose_name=_("data subject")
    )
    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.PROTECT, related_name="engagements",
        verbose_name=_("processing activity"),
    )
    collected_on = models.DateField(_("collected on"), null=True, blank=True)
    last_contact_on = models.DateField(_("last contact or activity"), null=True, blank=True)
    relationship_ended_on = models.DateField(_("relationship ended on"), null=True, blank=True)
    unsubscribed_on = models.DateField(_("unsubscribed or consent withdrawn on"), null=True, blank=True)
    last_event_on = models.DateField(_("last event attended on"), null=True, blank=True)
    last_service_on = models.DateField(_("last service delivered on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    # The Engagement dates a retention rule may count from, in the order the admin shows them.
    TRIGGER_FIELDS = (
        "collected_on", "last_contact_on", "relationship_ended_on", "unsubscribed_on", "last_event_on",
        "last_service_on",
    )

    class Meta:
        ordering = ["subject", "activity"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            models.UniqueConstraint(fields=["subject", "activity"], name="engagement_unique_subject_activity"),
        ]
        # A retention rule is scoped to an activity and counts from one date, so the sweep asks for
        # "activity = X and <date> < cutoff": an index on (activity, date) per trigger answers it with a
        # range scan. The unique constraint above indexes the subject side.
        indexes = [
            models.Index(fields=["activity", "collected_on"], name="engagement_collected_idx"),
            models.Index(fields=["activity", "last_contact_on"], name="engagement_last_contact_idx"),
            models.Index(fields=["activity", "relationship_ended_on"], name="engagement_rel_ended_idx"),
            models.Index(fields=["activity", "unsubscribed_on"], name="engagement_unsubscribed_idx"),
            models.Index(fields=["activity", "last_event_on"], name="engagement_last_event_idx"),
            models.Index(fields=["activity", "last_service_on"], name="engagement_last_service_idx"),
        ]

    def __str__(self) -> str:
        return str(_("Subject #%(subject)s in activity #%(activity)s") % {
            "subject": self.subject_id, "activity": self.activity_id,
        })


class SystemRecord(models.Model):
    """Where the subject's data sits outside this database, so an erasure knows whom to tell (Art. 17(2), 19)."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="system_records", verbose_name=_("data subject")
    )
    system = models.ForeignKey(
        System, on_delete=models.PROTECT, related_name="subject_records", verbose_name=_("system")
    )
    external_id = models.CharField(
        _("id in that system"), max_length=200, help_text=_("E.g. the contact id in the CRM.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["subject", "system"]
        verbose_name = _("system record")
        verbose_name_plural = _("system records")
        constraints = [
            models.UniqueConstraint(fields=["system", "external_id"], name="system_record_unique_external_id"),
        ]

    def __str__(self) -> str:
        # Never the external id: it identifies the person in the vendor's system.
        return str(_("Subject #%(subject)s in system #%(system)s") % {
            "subject": self.subject_id, "system": self.system_id,
        })


class Suppression(models.Model):
    """An erased identity, kept only as a keyed hash so the person is not quietly re-created or re-imported.

    Holds no personal data: the digest is an HMAC under a key that is not in the database.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        PHONE = "phone", _("Phone number")

    class Reason(models.TextChoices):
        ERASURE = "erasure", _("Erased (Art. 17)")
        OBJECTION = "objection", _("Objected to processing (Art. 21)")
        MANUAL = "manual", _("Added by the DPO")

    digest = models.CharField(_("keyed hash"), max_length=64, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, default=Reason.ERASURE)
    created_at = models.DateTimeField(_("suppressed at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppression")
        verbose_name_plural = _("suppression list")

    def __str__(self) -> str:
        return str(_("%(kind)s %(prefix)s…") % {"kind": self.get_kind_display(), "prefix": self.digest[:12]})


class SuppressionOverride(models.Model):
    """A DPO's decision to let a suppressed person be re-created: the suppression entry it lifted, who, when, why."""

    digest = models.CharField(_("keyed hash lifted"), max_length=64, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Suppression.Kind.choices, editable=False)
    suppressed_at = models.DateTimeField(_("originally suppressed at"), editable=False)
    subject = models.ForeignKey(
        DataSubject, on_delete=models.SET_NULL, null=True, blank=True, related_name="suppression_overrides",
        verbose_name=_("re-created subject"),
    )
    reason = models.TextField(_("reason for the override"))
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("overridden by")
    )
    overridden_at = models.DateTimeField(_("overridden at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-overridden_at"]
        verbose_name = _("suppression override")
        verbose_name_plural = _("suppression overrides")

    def __str__(self) -> str:
        return str(_("Override #%(id)s") % {"id": self.pk})
