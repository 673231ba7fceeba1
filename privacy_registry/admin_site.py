"""The admin site: dashboard as index, a second factor (TOTP) required to enter.

Every admin view goes through ``admin_view``: there a NUL character in a query parameter (a search, a filter, an
autocomplete term) or in a posted search is dropped, with a message, before any view reads it. PostgreSQL refuses
NUL in text, so such a value would otherwise end in a 500 wherever it reaches a query (Django's own search box
checks its ``q``, but not filters, autocomplete or this project's posted search).
"""
from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.main import SEARCH_VAR
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
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


NUL = "\x00"
NUL_REFUSED = _("A search or filter cannot contain a NUL character: it was left out.")


def _with_nul(query) -> list[str]:
    return [key for key, values in query.lists() if NUL in key or any(NUL in value for value in values)]


def _refusing_nul(view):
    @wraps(view)
    def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        dropped = _with_nul(request.GET)
        if dropped:
            match = request.resolver_match
            if match is not None and match.url_name == "autocomplete":
                return JsonResponse({"results": [], "pagination": {"more": False}})
            messages.error(request, NUL_REFUSED)
            params = request.GET.copy()
            for key in dropped:
                del params[key]
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}" if params else request.path)
        if request.method == "POST" and NUL in request.POST.get(SEARCH_VAR, ""):
            messages.error(request, NUL_REFUSED)
            request.POST = request.POST.copy()
            del request.POST[SEARCH_VAR]
        return view(request, *args, **kwargs)

    return inner


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

    def admin_view(self, view, cacheable=False):
        return super().admin_view(_refusing_nul(view), cacheable)

    def index(self, request, extra_context=None):
        context = {"dashboard": selectors.dashboard(user=request.user)}
        context.update(extra_context or {})
        return super().index(request, extra_context=context)
