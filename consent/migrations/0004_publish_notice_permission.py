"""Publishing the privacy notice gets its own permission, ``consent.publish_noticeversion``; until now it asked for
``consent.add_noticeversion``, which the Compliance role holds with every other ``add_*``.

The permission is created here and granted to the DPO group, and to every group and user outside the three roles
that holds the add permission, so nobody but Compliance loses what they could do. The roles' sets are recomputed
after every migrate (privacy_registry.roles): there the DPO has it, Compliance and the Auditor do not.
"""
from django.db import migrations

CODENAME = "publish_noticeversion"
NAME = "Can publish the privacy notice"
ROLES = ("DPO", "Compliance", "Auditor")


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _created = ContentType.objects.get_or_create(app_label="consent", model="noticeversion")
    publish, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": NAME}
    )
    for group in Group.objects.filter(name="DPO"):
        group.permissions.add(publish)
    add = Permission.objects.filter(content_type=content_type, codename="add_noticeversion").first()
    if add is not None:
        publish.group_set.add(*add.group_set.exclude(name__in=ROLES))
        publish.user_set.add(*add.user_set.all())


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="consent", codename=CODENAME
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("consent", "0003_consent_texts_per_language"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="noticeversion",
            options={
                "ordering": ["organisation", "-number"],
                "permissions": [("publish_noticeversion", "Can publish the privacy notice")],
                "verbose_name": "notice version",
                "verbose_name_plural": "notice versions",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
