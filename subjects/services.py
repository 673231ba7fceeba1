"""Writes about people: subjects, their engagements and system records, the suppression list, imports.

Design note.
- Every function here owns its transaction and sets simple-history's change reason and user, so the audit
  trail says who and why. Change reasons are fixed words and ids, never a person's data: historical rows
  are scrubbed by field, and a reason is not one of those fields.
- The suppression list holds keyed hashes only (``keyed_hash``; key from the environment). Creating or
  importing a person whose e-mail or phone is on it is refused, unless a DPO (permission
  ``subjects.override_suppression``) gives a reason: the override is recorded (who, when, why, which entry)
  and lifts the entry, so the person, now legitimately back, is not refused again.
- Logs carry ids, never e-mail addresses or names.
- ``subjects_import`` is all or nothing: one transaction, rolled back when any row fails or when only a
  preview was asked for.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy_registry.models import Organisation, ProcessingActivity, System
from privacy_registry.services import attribute as _attribute

from . import imports, selectors
from .keyed_hash import normalise_email, normalise_phone, suppression_digests
from .keyed_hash import suppression_hash as suppression_hash  # part of this module's interface
from .models import DataSubject, Engagement, Suppression, SuppressionOverride, SystemRecord

logger = logging.getLogger(__name__)

OVERRIDE_PERMISSION = "subjects.override_suppression"
# Restricting processing (Art. 18): the subject page's action, a change of state to or from restricted, and
# carrying out a restriction request. Apart from erasure's permission, so either can be granted alone.
RESTRICT_PERMISSION = "subjects.restrict_datasubject"

SUPPRESSED_MESSAGE = _(
    "This person was erased and is on the suppression list, so they cannot be created or imported again. "
    "A DPO can re-create them one at a time, giving a reason."
)

IDENTITY_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "job_title", "language", "street_address",
    "postal_code", "city", "country",
)
UPDATABLE_FIELDS = frozenset({*IDENTITY_FIELDS, "state", "categories", "organisation"})

Actor = AbstractBaseUser | AnonymousUser | None



# --- suppression -----------------------------------------------------------------------------------------


def is_suppressed(*, email: str = "", phone: str = "") -> bool:
    return selectors.suppressions_matching(email=email, phone=phone).exists()


def suppression_check(
    *, email: str = "", phone: str = "", actor: Actor = None, override_reason: str | None = None
) -> list[Suppression]:
    """Refuse a suppressed identity unless a DPO overrides it with a reason.

    Returns the suppression entries the override will lift (empty when the identity is not suppressed).
    Raises ValidationError, keyed by the field that matched, otherwise. Forms call it in ``clean()`` so the
    refusal is a form error; the create and update services call it again inside their transaction.
    """
    matches = list(selectors.suppressions_matching(email=email, phone=phone))
    if not matches:
        return []
    reason = (override_reason or "").strip()
    field_name = "email" if any(m.kind == Suppression.Kind.EMAIL for m in matches) else "phone"
    if not reason:
        raise ValidationError({field_name: SUPPRESSED_MESSAGE}, code="suppressed")
    if actor is None or not actor.has_perm(OVERRIDE_PERMISSION):
        raise ValidationError(
            {field_name: _("Only a DPO may re-create a suppressed person.")}, code="override_not_allowed"
        )
    return matches


@transaction.atomic
def suppression_add(
    *, subject: DataSubject, reason: str = Suppression.Reason.ERASURE, actor: Actor = None
) -> list[Suppression]:
    """Put the subject's e-mail and phone on the suppression list (before they are scrubbed). Idempotent."""
    entries = []
    for digest, kind in suppression_digests(email=subject.email, phone=subject.phone).items():
        entry = Suppression.objects.filter(digest=digest).first()
        if entry is None:
            entry = Suppression(digest=digest, kind=kind, reason=reason)
            _attribute(entry, actor=actor, reason=f"suppressed subject #{subject.pk}")
            entry.save()
        entries.append(entry)
    logger.info("subject %s suppressed (%d entries)", subject.pk, len(entries))
    return entries


@transaction.atomic
def suppressions_add_digests(*, digests: Mapping[str, str], reason: str = Suppression.Reason.ERASURE) -> int:
    """The set-wise form for sweeps: digest → kind, computed by the caller with ``suppression_digests``.

    Writes no history rows (``bulk_create``): an entry holds no personal data, and a sweep's batch should
    stay one statement. Entries already present are left as they are. Returns how many were asked for.
    """
    Suppression.objects.bulk_create(
        [Suppression(digest=d, kind=k, reason=reason) for d, k in digests.items()], ignore_conflicts=True,
    )
    return len(digests)


def _lift_suppressions(
    matches: Iterable[Suppression], *, subject: DataSubject, actor: Actor, reason: str
) -> list[SuppressionOverride]:
    overrides = []
    for entry in matches:
        override = SuppressionOverride(
            digest=entry.digest, kind=entry.kind, suppressed_at=entry.created_at, subject=subject,
            reason=reason, overridden_by=actor,
        )
        _attribute(override, actor=actor, reason=f"override for subject #{subject.pk}")
        override.save()
        _attribute(entry, actor=actor, reason=f"lifted by override #{override.pk}")
        entry.delete()
        overrides.append(override)
    logger.info("subject %s re-created under suppression override(s) %s", subject.pk, [o.pk for o in overrides])
    return overrides


# --- subjects --------------------------------------------------------------------------------------------


@transaction.atomic
def subject_create(
    *,
    organisation: Organisation,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    company: str = "",
    job_title: str = "",
    language: str = "",
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    country=None,
    categories: Iterable = (),
    state: str = DataSubject.State.ACTIVE,
    actor: Actor = None,
    reason: str = "created",
    override_reason: str | None = None,
) -> DataSubject:
    """Create one data subject. A suppressed identity is refused (ValidationError) unless ``override_reason``
    is given by a DPO; the override is then recorded and lifts the suppression."""
    if state == DataSubject.State.ERASED:
        raise ValidationError({"state": _("A subject is erased by the erasure engine, not created erased.")})
    email = email.strip()
    if not (email or phone.strip() or first_name.strip() or last_name.strip()):
        raise ValidationError(_("Give at least an e-mail address, a phone number or a name."), code="no_identity")
    matches = suppression_check(email=email, phone=phone, actor=actor, override_reason=override_reason)
    subject = DataSubject(
        organisation=organisation, email=email, first_name=first_name.strip(), last_name=last_name.strip(),
        phone=phone.strip(), company=company.strip(), job_title=job_title.strip(), language=language.strip(),
        street_address=street_address.strip(), postal_code=postal_code.strip(), city=city.strip(),
        country=country, state=state,
    )
    subject.full_clean()
    _attribute(subject, actor=actor, reason=reason if not matches else f"{reason} (suppression overridden)")
    subject.save()
    categories = list(categories)
    if categories:
        subject.categories.set(categories)
    if matches:
        _lift_suppressions(matches, subject=subject, actor=actor, reason=(override_reason or "").strip())
    logger.info("subject %s created", subject.pk)
    return subject


@transaction.atomic
def subject_update(
    *,
    subject: DataSubject,
    changes: Mapping[str, Any],
    actor: Actor = None,
    reason: str = "changed",
    override_reason: str | None = None,
) -> DataSubject:
    """Change a subject's identity, categories or state (active / restricted).

    A new e-mail or phone that is on the suppression list is refused as on create. Erasure is not a change:
    the erasure engine does it, and an erased subject is not edited.
    """
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"subject_update cannot change {sorted(unknown)}")
    if subject.state == DataSubject.State.ERASED:
        raise ValidationError(_("An erased subject cannot be changed."), code="erased")
    if changes.get("state") == DataSubject.State.ERASED:
        raise ValidationError({"state": _("Erasure is done by the erasure engine, not by editing the subject.")})
    new_email = changes.get("email", subject.email)
    new_phone = changes.get("phone", subject.phone)
    check_email = new_email if normalise_email(new_email) != normalise_email(subject.email) else ""
    check_phone = new_phone if normalise_phone(new_phone) != normalise_phone(subject.phone) else ""
    matches = suppression_check(email=check_email, phone=check_phone, actor=actor, override_reason=override_reason)
    categories = changes.get("categories")
    for name, value in changes.items():
        if name != "categories":
            setattr(subject, name, value.strip() if isinstance(value, str) else value)
    subject.full_clean()
    _attribute(subject, actor=actor, reason=reason)
    subject.save()
    if categories is not None:
        subject.categories.set(categories)
    if matches:
        _lift_suppressions(matches, subject=subject, actor=actor, reason=(override_reason or "").strip())
    logger.info("subject %s updated (%s)", subject.pk, ", ".join(sorted(changes)))
    return subject


# --- engagements and system records ----------------------------------------------------------------------


def _refuse_if_erased(subject: DataSubject) -> None:
    if subject.state == DataSubject.State.ERASED:
        raise ValidationError(_("The subject is erased: nothing new is recorded about them."), code="erased")


@transaction.atomic
def engagement_record(
    *,
    subject: DataSubject,
    activity: ProcessingActivity,
    collected_on: date | None = None,
    last_contact_on: date | None = None,
    relationship_ended_on: date | None = None,
    unsubscribed_on: date | None = None,
    last_event_on: date | None = None,
    last_service_on: date | None = None,
    actor: Actor = None,
    reason: str = "recorded",
) -> Engagement:
    """Record that the subject is in ``activity``, setting the dates given (others are left as they are).

    A new engagement without a collection date is collected today, so every engagement has a date a
    retention clock can count from. Nothing is saved (and no history row written) when nothing changes.
    """
    _refuse_if_erased(subject)
    dates = {
        "collected_on": collected_on, "last_contact_on": last_contact_on,
        "relationship_ended_on": relationship_ended_on, "unsubscribed_on": unsubscribed_on,
        "last_event_on": last_event_on, "last_service_on": last_service_on,
    }
    engagement = Engagement.objects.select_for_update().filter(subject=subject, activity=activity).first()
    created = engagement is None
    if created:
        engagement = Engagement(subject=subject, activity=activity)
        dates["collected_on"] = collected_on or timezone.localdate()
    changed = [name for name, value in dates.items() if value is not None and getattr(engagement, name) != value]
    for name in changed:
        setattr(engagement, name, dates[name])
    if created or changed:
        engagement.full_clean(validate_unique=False)
        _attribute(engagement, actor=actor, reason=reason)
        engagement.save()
        logger.info("engagement %s of subject %s %s", engagement.pk, subject.pk, "created" if created else "updated")
    return engagement


@transaction.atomic
def engagement_resubscribe(
    *, subject: DataSubject, activity: ProcessingActivity, actor: Actor = None, reason: str = "consent given again",
) -> Engagement | None:
    """Clear the "unsubscribed or consent withdrawn" date of the subject's engagement in ``activity`` (the person
    consented again), so no retention rule counts from a withdrawal that no longer holds. None when not engaged."""
    _refuse_if_erased(subject)
    engagement = Engagement.objects.select_for_update().filter(subject=subject, activity=activity).first()
    if engagement is None or engagement.unsubscribed_on is None:
        return engagement
    engagement.unsubscribed_on = None
    _attribute(engagement, actor=actor, reason=reason)
    engagement.save()
    logger.info("engagement %s of subject %s: unsubscribed date cleared", engagement.pk, subject.pk)
    return engagement


@transaction.atomic
def system_record_add(
    *, subject: DataSubject, system: System, external_id: str, actor: Actor = None, reason: str = "added"
) -> SystemRecord:
    """Note where the subject's data sits outside this database (system + that system's id for them)."""
    _refuse_if_erased(subject)
    record = SystemRecord(subject=subject, system=system, external_id=external_id.strip())
    record.full_clean()
    _attribute(record, actor=actor, reason=reason)
    record.save()
    logger.info("system record %s added for subject %s", record.pk, subject.pk)
    return record


# --- import ----------------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Leaves the import's transaction without committing (preview, or a bad row)."""


@dataclass
class ImportReport:
    rows: list[imports.ImportRow]
    file_errors: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[imports.ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def new_subjects(self) -> int:
        return sum(1 for row in self.rows if row.outcome == imports.Outcome.NEW)

    @property
    def engagements(self) -> int:
        return sum(1 for row in self.rows if row.activity is not None)


def subjects_import(
    *, organisation: Organisation, content: str, actor: Actor = None, commit: bool = False
) -> ImportReport:
    """Import subjects and their engagements from CSV text, all or nothing.

    Every row goes through the same services as a single create (suppression refused per row, with the
    row's number), inside one transaction. The transaction is rolled back when ``commit`` is false (a
    preview: nothing written) or when any row has an error (nothing written, every error reported).
    """
    try:
        parsed = imports.parse(content)
    except imports.ImportFileError as exc:
        return ImportReport(rows=[], file_errors=[str(exc)])
    report = ImportReport(rows=parsed)
    lookups = imports.Lookups.for_organisation(organisation, parsed)
    try:
        with transaction.atomic(durable=True):
            for row in parsed:
                imports.resolve(row, lookups)
            for row in parsed:
                if not row.errors:
                    _import_row(row, organisation=organisation, lookups=lookups, actor=actor)
            if report.has_errors or not commit:
                raise _Rollback
    except _Rollback:
        pass
    else:
        report.committed = True
        logger.info(
            "import into organisation %s: %d rows, %d new subjects", organisation.pk, len(parsed), report.new_subjects
        )
    return report


def _import_row(row: imports.ImportRow, *, organisation: Organisation, lookups: imports.Lookups, actor: Actor) -> None:
    reason = f"imported from CSV, row {row.number}"
    try:
        subject = lookups.subject_for(row)
        if subject is None:
            subject = subject_create(
                organisation=organisation, categories=row.categories, actor=actor, reason=reason, **row.identity,
            )
            lookups.remember(row, subject)
            row.outcome = imports.Outcome.NEW
        elif subject.state == DataSubject.State.RESTRICTED:
            raise ValidationError(_("This person's processing is restricted (Art. 18): nothing new is recorded."))
        row.subject = subject
        if row.activity is not None:
            engagement_record(subject=subject, activity=row.activity, actor=actor, reason=reason, **row.dates)
        if row.system is not None:
            system_record_add(
                subject=subject, system=row.system, external_id=row.external_id, actor=actor, reason=reason,
            )
    except ValidationError as exc:
        row.errors.extend(imports.messages_of(exc))
