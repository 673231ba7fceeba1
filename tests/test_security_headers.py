"""Every response carries a Content-Security-Policy (django-csp) and a Permissions-Policy, and the admin pages
need nothing the policy forbids: no inline script, style block, style attribute or event handler."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from privacy_registry.middleware import PERMISSIONS_POLICY
from tests.export_register import build_register

pytestmark = pytest.mark.django_db

DIRECTIVES = {
    "default-src": "'self'", "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'",
    "frame-ancestors": "'none'",
    # simple-history's paginator style attribute, allowed by its hash alone.
    "style-src-attr": "'unsafe-hashes' 'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
}


def _policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def _assert_headers(response) -> None:
    assert _policy(response) == DIRECTIVES
    features = {item.strip() for item in response.headers.get("Permissions-Policy", "").split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} <= features


def test_admin_login_page_has_both_headers(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    _assert_headers(response)


def test_admin_dashboard_has_both_headers(dpo_client):
    response = dpo_client.get(reverse("admin:index"))
    assert response.status_code == 200 and b'id="dashboard"' in response.content
    _assert_headers(response)


def test_healthz_has_both_headers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    _assert_headers(response)


def test_permissions_policy_denies_every_listed_feature():
    assert PERMISSIONS_POLICY == "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"


class _InlineFinder(HTMLParser):
    """What `default-src 'self'` would refuse: inline scripts (JSON data blocks are not run, so they may stay),
    <style> blocks, style="" attributes, on*="" handlers and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            runs = attributes.get("type", "text/javascript") in {"text/javascript", "module", ""}
            self._in_script = runs and "src" not in attributes
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]}")


# simple-history's history list draws its paginator with style="border-top: 0": the policy allows exactly that
# attribute by its hash (style-src-attr), and nothing else inline.
ACCEPTED = {'<p style="border-top: 0">'}


def test_the_one_allowed_inline_style_is_allowed_by_its_hash_alone():
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(b"border-top: 0").digest()).decode()
    assert DIRECTIVES["style-src-attr"] == f"'unsafe-hashes' 'sha256-{digest}'"


def _inline(content: bytes) -> list[str]:
    finder = _InlineFinder()
    finder.feed(content.decode())
    return [found for found in finder.found if found not in ACCEPTED]


def _admin_pages() -> list[str]:
    """The dashboard, and for every registered model its list, its add form and the change form of one object."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        pages.append(reverse(f"{prefix}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append(reverse(f"{prefix}_change", args=[obj.pk]))
            try:
                pages.append(reverse(f"{prefix}_history", args=[obj.pk]))
            except NoReverseMatch:
                pass
    return pages


def test_no_admin_page_needs_inline_code_or_styles(superuser_client):
    build_register()  # organisations, activities with findings, vendors, systems, transfers...
    offenders = {}
    for page in _admin_pages():
        response = superuser_client.get(page)
        if response.status_code != 200:  # an add form a model refuses (403), a redirect: nothing rendered
            continue
        assert _policy(response) == DIRECTIVES, page
        if found := _inline(response.content):
            offenders[page] = sorted(set(found))
    assert offenders == {}
