"""Response headers of our own. The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY);
the Permissions-Policy is one fixed header, too small for a dependency."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Nothing in the product uses these browser features: a page (or a script injected into one) may not ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")
)


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header to every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
