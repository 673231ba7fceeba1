"""The three staff roles and what each may do.

The groups themselves are created by a data migration; their permission sets are (re)computed after
every migrate, so a model added later by any app of the product joins them without a new migration.
A permission of its own (erase or restrict a subject, publish the notice, decide a request, ...) is a DPO decision:
Compliance holds view, add and change only.
"""
from __future__ import annotations

from django.contrib.auth.models import Group, Permission

PRODUCT_APPS = ("privacy_registry", "subjects", "retention", "consent", "rights")

DPO = "DPO"
COMPLIANCE = "Compliance"
AUDITOR = "Auditor"
ROLES = (DPO, COMPLIANCE, AUDITOR)


def _allowed(role: str, codename: str) -> bool:
    action, _, model = codename.partition("_")
    historical = model.startswith("historical")
    if role == DPO:
        # The DPO may revert through the history view, but never delete the audit trail itself.
        return not (historical and action == "delete")
    if role == COMPLIANCE:
        return action in {"view", "add", "change"} and not historical or (historical and action == "view")
    if role == AUDITOR:
        return action == "view"
    return False


def role_permissions(role: str, *, using: str = "default"):
    perms = Permission.objects.using(using).filter(content_type__app_label__in=PRODUCT_APPS)
    return [p for p in perms.only("id", "codename") if _allowed(role, p.codename)]


def sync_role_permissions(*, using: str = "default", **kwargs) -> None:
    """post_migrate handler: give each existing role group exactly its permissions."""
    for group in Group.objects.using(using).filter(name__in=ROLES):
        group.permissions.set(role_permissions(group.name, using=using))
