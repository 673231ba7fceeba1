"""The admin site: dashboard as index, a second factor (TOTP) required to enter."""
from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from . import selectors


class RegistryOTPLoginForm(OTPAdminAuthenticationForm):
    """Password and code on one page: a user with a single authenticator need not pick it first."""

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class RegistryAdminSite(OTPAdminSite):
    site_header = _("Privacy Registry")
    site_title = _("Privacy Registry")
    index_title = _("Dashboard")
    index_template = "admin/dashboard.html"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    @property
    def login_form(self):
        return RegistryOTPLoginForm if settings.ADMIN_REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if settings.ADMIN_REQUIRE_2FA else None

    def has_permission(self, request) -> bool:
        if settings.ADMIN_REQUIRE_2FA:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)

    def index(self, request, extra_context=None):
        context = {"dashboard": selectors.dashboard(user=request.user)}
        context.update(extra_context or {})
        return super().index(request, extra_context=context)
