"""JSON: the same cover and sheets as the other formats, plus the record itself as structured data (codes,
dates and relations, not only rendered text) for machines that read the register."""
from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any

from .document import Document

FORMAT_NAME = "privacy-registry/ropa"
FORMAT_VERSION = 1


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def as_data(document: Document) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "template": {
            "key": document.template.key, "name": document.template_name, "authority": document.authority,
        },
        "language": document.language,
        "title": document.title,
        "generated_at": document.record.generated_at,
        "cover": [{"field": label, "value": value} for label, value in document.cover],
        "sheets": [
            {
                "key": sheet.key, "title": sheet.title, "record_type": sheet.record_type, "columns": sheet.headers,
                "rows": sheet.as_dicts(),
            }
            for sheet in document.sheets
        ],
        "record": dataclasses.asdict(document.record),
    }


def render(document: Document) -> bytes:
    return json.dumps(as_data(document), default=_default, ensure_ascii=False, indent=2).encode("utf-8")
