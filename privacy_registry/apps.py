from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RegistryAdminConfig(AdminConfig):
    """The admin, served by the registry's own site (dashboard index, second factor)."""

    default_site = "privacy_registry.admin_site.RegistryAdminSite"


class PrivacyRegistryConfig(AppConfig):
    name = "privacy_registry"
    verbose_name = _("Register of processing activities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import demo, system_checks  # noqa: F401 - importing system_checks registers its deploy checks
        from .demo import seeds
        from .roles import sync_role_permissions

        # Models added by later migrations (and other apps) join the groups' permission sets.
        post_migrate.connect(sync_role_permissions, dispatch_uid="privacy_registry.sync_role_permissions")
        demo.register("register", seeds.load)
