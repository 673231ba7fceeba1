"""Operations the apps' migrations share. Kept small and stable: old migrations import them."""
from __future__ import annotations

from django.db import migrations
from django.db.models import F


def copy_into_english(app_label: str, translated: dict[str, tuple[str, ...]]) -> migrations.RunPython:
    """When a text gains a column per language: the text written before is the English one (the product's default
    language). Its history rows too, so that a revert does not bring back an empty English text."""

    def copy(apps, schema_editor) -> None:
        for model_name, fields in translated.items():
            for name in (model_name, "Historical" + model_name):
                model = apps.get_model(app_label, name)
                for field in fields:
                    model.objects.filter(**{f"{field}_en__isnull": True}).update(**{f"{field}_en": F(field)})

    return migrations.RunPython(copy, migrations.RunPython.noop)
