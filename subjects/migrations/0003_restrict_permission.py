"""Restricting processing (Art. 18) gets its own permission, ``subjects.restrict_datasubject``; until now the
subject page's "Restrict processing now" asked for the erase permission (``retention.erase_datasubject``).

The permission is created here and granted to the DPO group, and to every other group and user that holds the erase
permission, so nobody who could restrict before loses it. The roles' sets are recomputed after every migrate
(privacy_registry.roles): there the DPO has it, Compliance and the Auditor do not.
"""
from django.db import migrations

CODENAME = "restrict_datasubject"
NAME = "Can restrict processing of a data subject (Art. 18)"
ERASE = {"content_type__app_label": "retention", "codename": "erase_datasubject"}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _created = ContentType.objects.get_or_create(app_label="subjects", model="datasubject")
    restrict, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    for group in Group.objects.filter(name="DPO"):
        group.permissions.add(restrict)
    erase = Permission.objects.filter(**ERASE).first()
    if erase is not None:
        restrict.group_set.add(*erase.group_set.all())
        restrict.user_set.add(*erase.user_set.all())


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="subjects", codename=CODENAME
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("subjects", "0002_postgres_prefix_search_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="datasubject",
            options={
                "ordering": ["-id"],
                "permissions": [
                    ("override_suppression", "Can re-create an erased (suppressed) person, giving a reason"),
                    ("restrict_datasubject", "Can restrict processing of a data subject (Art. 18)"),
                ],
                "verbose_name": "data subject",
                "verbose_name_plural": "data subjects",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
