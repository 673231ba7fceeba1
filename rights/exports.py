"""The access (Art. 15) and portability (Art. 20) export: everything held on one data subject, as a ZIP of JSON
(valid against the published schema ``rights/schema/access-export.schema.json``) and CSV.

Only the subject's own data goes in: their record, their engagements with what Art. 15(1) lists for each
processing (purposes and legal bases (a), categories of personal data (b), recipients (c), retention (d), sources
(g), automated decisions and profiling as recorded (h), transfers with their safeguards, Art. 15(2)), their consent
records, where else their data sits, their requests and the erasure records about them; and the rights (e, f): as
the organisation states them, beside the GDPR's own list. The register's words describe the processing, not other
people; staff names are left out. Nothing is added that the register does not hold: an empty list or an empty
string means the register records nothing there. CSV goes through ``privacy_registry.csvsafe`` so no cell opens as
a spreadsheet formula.
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

from consent.models import ConsentRecord
from privacy_registry import csvsafe
from privacy_registry.models import LegalBasis, ProcessingActivity, StatedRight
from retention.models import ErasureRecord
from subjects.models import DataSubject, Engagement, SystemRecord

from .models import RightsRequest

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "access-export.schema.json"
SCHEMA_ID = "https://privacy-registry.invalid/schema/access-export/v2"
FORMAT_VERSION = 2
SUBJECT_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "job_title", "language", "street_address",
    "postal_code", "city",
)
ENGAGEMENT_DATES = Engagement.TRIGGER_FIELDS
# The rights Art. 15(1)(e)-(f) has the controller name in every answer, in the law's own labels (StatedRight's).
LAW_RIGHTS = (
    StatedRight.Right.RECTIFICATION, StatedRight.Right.ERASURE, StatedRight.Right.RESTRICTION,
    StatedRight.Right.OBJECTION, StatedRight.Right.COMPLAINT,
)


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
        "data_categories": [
            {"name": c.name, "special_category": c.special_category if c.is_special else ""}
            for c in activity.data_categories.all()
        ],
        "sources": [
            {"kind": src.kind, "kind_label": str(src.get_kind_display()), "description": src.description}
            for src in activity.sources.all()
        ],
        "transfers": [_transfer(t) for t in activity.transfers.all()],
        "automated_decisions": {
            "automated_decision_making": activity.automated_decision_making,
            "profiling": activity.profiling,
            "logic": activity.automated_logic,
        },
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


def _transfer(transfer) -> dict[str, Any]:
    """Art. 15(2): where the data goes outside the EEA and the safeguard the register records for it."""
    receiver = (
        transfer.vendor.name if transfer.vendor_id else transfer.international_organisation
        or (transfer.receiving_organisation.name if transfer.receiving_organisation_id else "")
    )
    return {
        "destination_country": transfer.destination_id or "",
        "destination_as_stated": transfer.destination_description,
        "receiver": receiver,
        "safeguard": transfer.mechanism,
        "safeguard_label": str(transfer.get_mechanism_display()) if transfer.mechanism else "",
        "derogation_label": str(transfer.get_derogation_display()) if transfer.derogation else "",
        "safeguard_document": transfer.safeguard_document,
    }


def _rights(organisation) -> dict[str, Any]:
    """Art. 15(1)(e)-(f): the rights as the organisation states them, and the GDPR's own list beside them, said as
    the law's (never as the organisation's statement)."""
    return {
        "as_stated_by_the_organisation": [
            {
                "right": r.right,
                "label": str(r.get_right_display()),
                "offered": r.offered,
                "how_to_ask": r.channel,
                "answered_within": r.deadline,
                "conditions": r.conditions,
            }
            for r in organisation.stated_rights.all()
        ],
        "under_the_gdpr": [{"right": str(right.value), "label": str(right.label)} for right in LAW_RIGHTS],
        "lead_supervisory_authority": organisation.lead_authority,
    }


def export_data(*, subject: DataSubject) -> dict[str, Any]:
    """Everything held on ``subject``, as the JSON document the schema describes."""
    engagements = (
        Engagement.objects.filter(subject=subject)
        .select_related("activity")
        .prefetch_related(
            "activity__purposes", "activity__recipients__vendor",
            "activity__retention_rules", "activity__data_categories", "activity__sources",
            "activity__transfers__vendor", "activity__transfers__receiving_organisation",
        )
        .order_by("activity__name", "pk")
    )
    systems = SystemRecord.objects.filter(subject=subject).select_related("system").order_by("pk")
    requests = RightsRequest.objects.filter(subject=subject).order_by("received_at", "pk")
    records = ErasureRecord.objects.filter(subject_id=subject.pk).order_by("erased_at", "pk")
    consents = ConsentRecord.objects.filter(subject=subject).select_related("purpose").order_by("purpose__name", "pk")
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
        "consents": [
            {
                "purpose": c.purpose.name,
                "state": c.state,
                "state_label": str(c.get_state_display()),
                "method": c.method,
                "given_at": _iso(c.given_at),
                "confirmed_at": _iso(c.confirmed_at),
                "withdrawn_at": _iso(c.withdrawn_at),
                "wording_version": c.wording_version,
            }
            for c in consents
        ],
        "rights": _rights(organisation),
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
    header = ["activity", "purposes", "legal_bases", "data_categories", "sources", "recipients", "transfers",
              "retention", *ENGAGEMENT_DATES]
    files["engagements.csv"] = _csv([header, *[
        [
            e["activity"]["name"],
            "; ".join(p["description"] for p in e["activity"]["purposes"]),
            "; ".join(p["legal_basis_label"] for p in e["activity"]["purposes"] if p["legal_basis_label"]),
            "; ".join(c["name"] for c in e["activity"]["data_categories"]),
            "; ".join(src["description"] or src["kind_label"] for src in e["activity"]["sources"]),
            "; ".join(r["name"] or r["description"] or r["kind_label"] for r in e["activity"]["recipients"]),
            "; ".join(
                " ".join(filter(None, (t["receiver"], t["destination_country"] or t["destination_as_stated"],
                                       t["safeguard_label"])))
                for t in e["activity"]["transfers"]
            ),
            "; ".join(r["in_words"] for r in e["activity"]["retention"]),
            *[e["dates"][name] or "" for name in ENGAGEMENT_DATES],
        ]
        for e in data["engagements"]
    ]])
    consent_fields = ["purpose", "state", "method", "given_at", "confirmed_at", "withdrawn_at"]
    files["consents.csv"] = _csv([consent_fields, *[[c[f] or "" for f in consent_fields] for c in data["consents"]]])
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
