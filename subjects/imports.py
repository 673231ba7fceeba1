"""Reading a CSV file of subjects and engagements: its columns, its rows, and the register rows its names
refer to. Writes nothing; ``services.subjects_import`` does the writing, all or nothing.

One row is one person and, optionally, their engagement in one processing activity (and their id in one
outside system). The same e-mail address on several rows is one person in several activities; an address
the organisation already holds adds engagements to that subject and leaves its identity as it is.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from privacy_registry.models import Country, DataSubjectCategory, Organisation, ProcessingActivity, System

from . import selectors
from .keyed_hash import normalise_email
from .models import DataSubject, Engagement

MAX_ROWS = 5000
# The confirmed file travels back from the browser inside the preview form, whose fields Django caps at
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); a compressed CSV of this size fits well within it.
MAX_BYTES = 2 * 1024 * 1024
CATEGORY_SEPARATOR = "|"

IDENTITY_COLUMNS = (
    "email", "first_name", "last_name", "phone", "company", "job_title", "language", "street_address",
    "postal_code", "city",
)
DATE_COLUMNS = Engagement.TRIGGER_FIELDS
COLUMNS: dict[str, Any] = {
    "email": _("e-mail address (required)"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "phone": _("phone"),
    "company": _("company or organisation"),
    "job_title": _("job title or role"),
    "language": _("language code (en, sv, da…)"),
    "street_address": _("street address"),
    "postal_code": _("postal code"),
    "city": _("city"),
    "country": _("country, ISO code (SE, DK…)"),
    "categories": _("data subject categories by name, separated by |"),
    "activity": _("processing activity: its reference or its name"),
    "collected_on": _("date collected (YYYY-MM-DD)"),
    "last_contact_on": _("date of last contact or activity"),
    "relationship_ended_on": _("date the relationship ended"),
    "unsubscribed_on": _("date unsubscribed or consent withdrawn"),
    "last_event_on": _("date of the last event attended"),
    "last_service_on": _("date of the last service delivered"),
    "system": _("system holding the person (its name)"),
    "external_id": _("the person's id in that system"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, columns, size)."""


class Outcome(models.TextChoices):
    NEW = "new", _("new subject")
    EXISTING = "existing", _("subject already held")
    SAME_AS_ROW = "same_as_row", _("same person as an earlier row")


@dataclass
class ImportRow:
    number: int  # the line in the file; the header is line 1
    data: dict[str, str]
    errors: list[str] = field(default_factory=list)
    identity: dict[str, Any] = field(default_factory=dict)
    categories: list[DataSubjectCategory] = field(default_factory=list)
    activity: ProcessingActivity | None = None
    dates: dict[str, date] = field(default_factory=dict)
    system: System | None = None
    external_id: str = ""
    outcome: str = ""
    subject: DataSubject | None = None
    same_as_row: int | None = None

    @property
    def email(self) -> str:
        return self.data.get("email", "")

    @property
    def email_key(self) -> str:
        return normalise_email(self.email)

    def outcome_label(self) -> str:
        if self.outcome == Outcome.SAME_AS_ROW:
            return _t("same person as row %(row)s") % {"row": self.same_as_row}
        if self.outcome == Outcome.EXISTING and self.subject is not None:
            return _t("already held: %(subject)s") % {"subject": self.subject}
        return str(Outcome(self.outcome).label) if self.outcome else ""


def _header(name: str | None) -> str:
    return (name or "").strip().lower().replace(" ", "_").replace("-", "_")


DELIMITERS = (",", ";", "\t")


def _delimiter(header_line: str) -> str:
    """The delimiter the header line uses most outside quotes (a comma when it names one column only)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals: the comma
    return best if counts[best] else ","


def parse(content: str) -> list[ImportRow]:
    """Rows of a CSV text (comma, semicolon or tab separated, a header line first)."""
    content = content.lstrip("\ufeff")
    if not content.strip():
        raise ImportFileError(_t("The file is empty."))
    # Only the delimiter is detected; everything else is the csv module's RFC 4180 default (a doubled quote
    # inside a quoted field is one quote). csv.Sniffer guesses the quoting too, and got it wrong.
    reader = csv.reader(io.StringIO(content), delimiter=_delimiter(content.split("\n", 1)[0]))
    try:
        header = [_header(h) for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(_t("The first line must name the columns.")) from exc
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _t("Unknown columns: %(unknown)s. Known columns: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    if "email" not in header:
        raise ImportFileError(_t("The file needs an 'email' column."))
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        raise ImportFileError(_t("A column is named twice."))
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _t("The file has more than %(max)s rows: split it into smaller files.") % {"max": MAX_ROWS}
                )
            row = ImportRow(
                number=reader.line_num,
                data={h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h},
            )
            if len(values) > len(header):
                row.errors.append(_t("The row has more values than the header has columns."))
            rows.append(row)
    except csv.Error as exc:
        raise ImportFileError(_t("The file is not valid CSV near line %(line)s.") % {"line": reader.line_num}) from exc
    if not rows:
        raise ImportFileError(_t("The file has a header but no rows."))
    return rows


@dataclass
class Lookups:
    """Register rows the file refers to by name, and the subjects it already matches: read in a fixed
    number of queries for the whole file, not per row."""

    activities: dict[str, ProcessingActivity | None]
    categories: dict[str, DataSubjectCategory]
    systems: dict[str, System]
    countries: dict[str, Country]
    existing: dict[str, DataSubject]
    in_file: dict[str, tuple[int, DataSubject]] = field(default_factory=dict)

    @classmethod
    def for_organisation(cls, organisation: Organisation, rows: list[ImportRow]) -> Lookups:
        activities: dict[str, ProcessingActivity | None] = {}
        for activity in ProcessingActivity.objects.filter(
            Q(organisation=organisation) | Q(joint_controllers=organisation)
        ).distinct():
            for key in {activity.reference.strip().lower(), activity.name.strip().lower()} - {""}:
                # A name two activities share cannot pick one: the row must use the reference.
                activities[key] = None if key in activities and activities[key] != activity else activity
        codes = {r.data.get("country", "").upper() for r in rows} - {""}
        return cls(
            activities=activities,
            categories={c.name.strip().lower(): c for c in DataSubjectCategory.objects.all()},
            systems={s.name.strip().lower(): s for s in System.objects.filter(organisation=organisation)},
            countries={c.code: c for c in Country.objects.filter(code__in=codes)},
            existing={
                normalise_email(s.email): s
                for s in selectors.subjects_by_emails(organisation=organisation, emails=[r.email for r in rows])
            },
        )

    def subject_for(self, row: ImportRow) -> DataSubject | None:
        """The subject this row is about, when the file or the database already has them."""
        if row.email_key in self.in_file:
            row.same_as_row, subject = self.in_file[row.email_key]
            row.outcome = Outcome.SAME_AS_ROW
            return subject
        subject = self.existing.get(row.email_key)
        if subject is not None:
            row.outcome = Outcome.EXISTING
            self.in_file[row.email_key] = (row.number, subject)
        return subject

    def remember(self, row: ImportRow, subject: DataSubject) -> None:
        self.in_file[row.email_key] = (row.number, subject)


def _date(row: ImportRow, column: str) -> date | None:
    text = row.data.get(column, "")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        row.errors.append(
            _t("%(column)s: %(value)s is not a date as YYYY-MM-DD.") % {"column": column, "value": text}
        )
        return None


def resolve(row: ImportRow, lookups: Lookups) -> None:
    """Check one row and turn its names into register rows; problems become the row's errors."""
    data = row.data
    if not row.email:
        row.errors.append(_t("email: an e-mail address is required."))
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(_t("email: %(value)s is not a valid e-mail address.") % {"value": row.email})
    row.identity = {name: data.get(name, "") for name in IDENTITY_COLUMNS}
    code = data.get("country", "").upper()
    if code:
        row.identity["country"] = lookups.countries.get(code)
        if row.identity["country"] is None:
            row.errors.append(_t("country: %(value)s is not a known ISO country code.") % {"value": code})
    for name in filter(None, (n.strip() for n in data.get("categories", "").split(CATEGORY_SEPARATOR))):
        category = lookups.categories.get(name.lower())
        if category is None:
            row.errors.append(_t("categories: no data subject category is named %(name)s.") % {"name": name})
        else:
            row.categories.append(category)
    row.dates = {column: value for column in DATE_COLUMNS if (value := _date(row, column)) is not None}
    activity_key = data.get("activity", "").strip().lower()
    if activity_key:
        if activity_key not in lookups.activities:
            row.errors.append(
                _t("activity: the organisation has no processing activity with the reference or name %(value)s.")
                % {"value": data["activity"]}
            )
        elif lookups.activities[activity_key] is None:
            row.errors.append(
                _t("activity: several activities are named %(value)s; use the reference.") % {"value": data["activity"]}
            )
        else:
            row.activity = lookups.activities[activity_key]
    elif row.dates:
        row.errors.append(_t("activity: dates are given, but not the processing activity they belong to."))
    system_key = data.get("system", "").strip().lower()
    row.external_id = data.get("external_id", "")
    if system_key:
        row.system = lookups.systems.get(system_key)
        if row.system is None:
            row.errors.append(_t("system: the organisation has no system named %(value)s.") % {"value": data["system"]})
        if not row.external_id:
            row.errors.append(_t("external_id: a system is named, but not the person's id in it."))
    elif row.external_id:
        row.errors.append(_t("system: an external id is given, but not the system it belongs to."))


def messages_of(exc: ValidationError) -> list[str]:
    """A service's ValidationError as lines for a row: "field: message", with the field's own label."""
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    lines = []
    for name, errors in exc.message_dict.items():
        label = ""
        if name != NON_FIELD_ERRORS:
            try:
                label = str(DataSubject._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                label = name
        lines.extend(f"{label}: {message}" if label else str(message) for message in errors)
    return lines
