"""Reference data (EEA membership, adequacy decisions) and the three staff groups.

Country rows are data: a later adequacy decision is a row change, not a code change. The groups'
permission sets are filled after every migrate by privacy_registry.roles.sync_role_permissions.
"""
import json
from pathlib import Path

from django.db import migrations

COUNTRIES = Path(__file__).resolve().parent.parent / "data" / "countries.json"
ROLES = ("DPO", "Compliance", "Auditor")


def load(apps, schema_editor):
    Country = apps.get_model("privacy_registry", "Country")
    Group = apps.get_model("auth", "Group")
    for row in json.loads(COUNTRIES.read_text(encoding="utf-8")):
        code = row.pop("code")
        Country.objects.update_or_create(code=code, defaults=row)
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def unload(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy_registry", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(load, unload)]
