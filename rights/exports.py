"""The access (Art. 15) and portability (Art. 20) export: everything held on one data subject, as a ZIP of JSON
(valid against the published schema ``rights/schema/access-export.schema.json``) and CSV.

Only the subject's own data goes in: their record, their engagements with the purposes, legal bases, recipients
and retention that apply, where else their data sits, their requests and the erasure records about them. The
register's words (activities, purposes, recipients) describe the processing, not other people; staff names are
left out. CSV goes through ``privacy_registry.csvsafe`` so no cell opens as a spreadsheet formula.
"""
from __future__ import annotations

import functools
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
from django.utils import timezone

from privacy_registry import csvsafe
from privacy_registry.models import LegalBasis, ProcessingActivity
from retention.models import ErasureRecord
from subjects.models import DataSubject, Engagement, SystemRecord

from .models import RightsRequest

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "access-export.schema.json"
SCHEMA_ID = "https://privacy-registry.invalid/schema/access-export/v1"
FORMAT_VERSION = 1
SUBJECT_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "job_title", "language", "street_address",
    "postal_code", "city",
)
ENGAGEMENT_DATES = Engagement.TRIGGER_FIELDS


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _activity(activity: ProcessingActivity) -> dict[str, Any]:
    rules = [r for r in activity.retention_rules.all() if r.enabled or r.statement]
    return {
        "name": activity.name,
        "reference": activity.reference,
        "description": activity.description,
        "purposes": [
            {
                "description": p.description,
                "legal_basis": p.legal_basis,
                "legal_basis_label": str(LegalBasis(p.legal_basis).label) if p.legal_basis else "",
                "legal_basis_detail": p.legal_basis_detail,
                "legitimate_interest": p.legitimate_interest,
            }
            for p in activity.purposes.all()
        ],
        "recipients": [
            {
                "kind": r.kind,
                "kind_label": str(r.get_kind_display()),
                "name": r.vendor.name if r.vendor_id else "",
                "description": r.description,
                "country": r.country_id or "",
            }
            for r in activity.recipients.all()
        ],
        "retention": [
            {
                "in_words": str(rule.describe()),
                "statement": rule.statement,
                "legal_reference": rule.legal_reference,
            }
            for rule in rules
        ] or ([{"in_words": activity.retention_statement, "statement": activity.retention_statement,
                "legal_reference": ""}] if activity.retention_statement else []),
    }


def export_data(*, subject: DataSubject) -> dict[str, Any]:
    """Everything held on ``subject``, as the JSON document the schema describes."""
    engagements = (
        Engagement.objects.filter(subject=subject)
        .select_related("activity")
        .prefetch_related(
            "activity__purposes", "activity__recipients__vendor",
            "activity__retention_rules",
        )
        .order_by("activity__name", "pk")
    )
    systems = SystemRecord.objects.filter(subject=subject).select_related("system").order_by("pk")
    requests = RightsRequest.objects.filter(subject=subject).order_by("received_at", "pk")
    records = ErasureRecord.objects.filter(subject_id=subject.pk).order_by("erased_at", "pk")
    organisation = subject.organisation
    return {
        "$schema": SCHEMA_ID,
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "controller": {
            "name": organisation.name,
            "registration_number": organisation.registration_number,
            "country": organisation.country_id or "",
            "contact_email": organisation.email,
        },
        "subject": {
            "reference": str(subject.public_ref),
            **{name: getattr(subject, name) for name in SUBJECT_FIELDS},
            "country": subject.country_id or "",
            "state": subject.state,
            "categories": sorted(c.name for c in subject.categories.all()),
            "created_at": _iso(subject.created_at),
            "updated_at": _iso(subject.updated_at),
        },
        "engagements": [
            {
                "activity": _activity(e.activity),
                "dates": {name: _iso(getattr(e, name)) for name in ENGAGEMENT_DATES},
            }
            for e in engagements
        ],
        "systems": [{"system": s.system.name, "id_in_system": s.external_id} for s in systems],
        "requests": [
            {
                "reference": str(r.public_ref),
                "type": r.type,
                "channel": r.channel,
                "status": r.status,
                "received_at": _iso(r.received_at),
                "verified_at": _iso(r.verified_at),
                "due_on": _iso(r.effective_due_on),
                "closed_at": _iso(r.closed_at),
                "details": r.details,
                "response": r.response,
            }
            for r in requests
        ],
        "erasure_records": [
            {"at": _iso(r.erased_at), "action": r.action, "reason": r.reason, "request_ref": r.request_ref}
            for r in records
        ],
    }


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM: spreadsheets read UTF-8 correctly


def export_csv_files(data: dict[str, Any]) -> dict[str, bytes]:
    """The same data as CSV, one file per table."""
    subject = data["subject"]
    files = {"subject.csv": _csv([["field", "value"], *[[k, ", ".join(v) if isinstance(v, list) else v]
                                                      for k, v in subject.items()]])}
    header = ["activity", "purposes", "legal_bases", "recipients", "retention", *ENGAGEMENT_DATES]
    files["engagements.csv"] = _csv([header, *[
        [
            e["activity"]["name"],
            "; ".join(p["description"] for p in e["activity"]["purposes"]),
            "; ".join(p["legal_basis_label"] for p in e["activity"]["purposes"] if p["legal_basis_label"]),
            "; ".join(r["name"] or r["description"] or r["kind_label"] for r in e["activity"]["recipients"]),
            "; ".join(r["in_words"] for r in e["activity"]["retention"]),
            *[e["dates"][name] or "" for name in ENGAGEMENT_DATES],
        ]
        for e in data["engagements"]
    ]])
    files["systems.csv"] = _csv([["system", "id_in_system"],
                                 *[[s["system"], s["id_in_system"]] for s in data["systems"]]])
    request_fields = ["reference", "type", "channel", "status", "received_at", "verified_at", "due_on", "closed_at",
                      "details", "response"]
    files["requests.csv"] = _csv([request_fields, *[[r[f] or "" for f in request_fields] for r in data["requests"]]])
    record_fields = ["at", "action", "reason", "request_ref"]
    files["erasure_records.csv"] = _csv([record_fields,
                                         *[[r[f] for f in record_fields] for r in data["erasure_records"]]])
    return files


class ExportNotValid(Exception):
    """The export does not follow its published schema: it is not handed over. The message names JSON paths and
    schema rules only, never the values (they are the person's data)."""


@functools.cache
def _validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def check_against_schema(data: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda error: error.json_path)
    if errors:
        where = ", ".join(f"{error.json_path} ({error.validator})" for error in errors[:5])
        raise ExportNotValid(f"{len(errors)} schema error(s): {where}")


def export_zip(*, subject: DataSubject, request: RightsRequest) -> tuple[str, bytes]:
    """(file name, ZIP bytes): ``data.json``, the CSV files, and the schema the JSON follows.

    Raises ExportNotValid, and nothing is delivered, if the document does not follow the schema it ships with."""
    data = export_data(subject=subject)
    check_against_schema(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for name, content in export_csv_files(data).items():
            archive.writestr(f"csv/{name}", content)
        archive.writestr("access-export.schema.json", SCHEMA_PATH.read_bytes())
    return f"personal-data-{request.public_ref}.zip", buffer.getvalue()
