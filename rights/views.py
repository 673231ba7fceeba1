"""The public pages: no login, the visitor's language, nothing that tells whether an address is known.

- ``request_form`` answers a valid submission with the same redirect to the same "check your e-mail" page
  whatever the address: the form does not look the address up, and ``services.request_submit`` sends the
  confirmation mail from a task after the response, for every address alike.
- Links in e-mails (``confirm``, ``download``) act only on POST: GET shows what will happen and a button, so a
  mail scanner that fetches the link consumes nothing. A used, expired, tampered or foreign link gets one
  polite page, the same in every case.
- Rate limits (django-ratelimit, counts from settings) apply to every POST, per client address and, on the
  request form, per e-mail address; past them the visitor gets a readable 429 page in their language.
- The error pages (400, 403, CSRF failure, 404, 429, 500) are plain pages of this look, never Django's.

Views call only ``rights.services``; they never write a row themselves.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from privacy_registry.models import Organisation

from . import services
from .forms import RequestForm, clean_text
from .models import RequestToken, RequestType, Status

logger = logging.getLogger(__name__)

# A raw token is 43 URL-safe characters or so; anything much longer is not ours and is not hashed.
TOKEN_MAX_LENGTH = 200

WHAT_HAPPENS = {
    RequestType.ACCESS: _(
        "We will e-mail you a link to download a copy of the personal data we hold about you, with what we use "
        "it for, who receives it and how long we keep it."
    ),
    RequestType.RECTIFICATION: _("We will correct the data you told us about and let you know when it is done."),
    RequestType.ERASURE: _(
        "We will delete the personal data we hold about you. If the law requires us to keep some of it, we will "
        "tell you what we kept and why."
    ),
    RequestType.RESTRICTION: _(
        "We will keep your data but stop using it, other than storing it, until the matter is settled."
    ),
    RequestType.OBJECTION: _(
        "We will stop the use of your data that you object to (direct marketing stops at once) and tell you the "
        "outcome."
    ),
    RequestType.PORTABILITY: _(
        "We will e-mail you a link to download the data you gave us in machine-readable files (JSON and CSV)."
    ),
    RequestType.CONSENT_WITHDRAWAL: _("We will stop every use of your data that relies on your consent."),
}


def public_organisations():
    """The organisations that take requests here: controllers (Art. 12 binds the controller)."""
    return Organisation.objects.filter(
        role__in=[Organisation.Role.CONTROLLER, Organisation.Role.BOTH]
    ).order_by("name", "pk")


def _rate_ip(group: str, request: HttpRequest) -> str:
    # Read at request time, so that a changed setting (or a test's override) applies at once.
    return settings.RIGHTS_RATELIMIT_IP


def _rate_email(group: str, request: HttpRequest) -> str:
    return settings.RIGHTS_RATELIMIT_EMAIL


def _email_key(group: str, request: HttpRequest) -> str:
    # The library hashes the key into the cache key: the address itself is never stored in the cache.
    return clean_text(request.POST.get("email", ""))[:254].lower()


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "rights/public/invalid_link.html", status=404)


def _usable(token: str) -> bool:
    return 0 < len(token) <= TOKEN_MAX_LENGTH


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "rights/public/home.html", {"organisations": public_organisations()})


@require_http_methods(["GET", "POST"])
@ratelimit(group="rights.request.ip", key="ip", rate=_rate_ip, method="POST", block=False)
@ratelimit(group="rights.request.email", key=_email_key, rate=_rate_email, method="POST", block=False)
def request_form(request: HttpRequest, organisation: str) -> HttpResponse:
    org = get_object_or_404(public_organisations(), slug=organisation)
    if request.method == "POST":
        if getattr(request, "limited", False):
            return ratelimited(request)
        form = RequestForm(request.POST)
        if form.is_valid():
            try:
                services.request_submit(
                    organisation=org,
                    type=form.cleaned_data["type"],
                    email=form.cleaned_data["email"],
                    details=form.cleaned_data["details"],
                    language=request.LANGUAGE_CODE,
                    direct_marketing=form.cleaned_data["direct_marketing"],
                )
            except ValidationError as exc:  # the model's own checks, should the form ever let something past
                form.add_error(None, exc.messages)
            else:
                return redirect("rights:sent", organisation=org.slug)
        form.renew_stamp()
    else:
        form = RequestForm()
    context = {"organisation": org, "form": form, "link_hours": settings.RIGHTS_VERIFY_LINK_HOURS,
               "delete_hours": services.unverified_deleted_within_hours()}
    return render(request, "rights/public/request.html", context)


@require_GET
def request_sent(request: HttpRequest, organisation: str) -> HttpResponse:
    org = get_object_or_404(public_organisations(), slug=organisation)
    return render(request, "rights/public/sent.html", {
        "organisation": org, "link_hours": settings.RIGHTS_VERIFY_LINK_HOURS,
    })


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(group="rights.links.ip", key="ip", rate=_rate_ip, method="POST", block=False)
def confirm(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    if request.method == "POST" and getattr(request, "limited", False):
        return ratelimited(request)
    if not _usable(token):
        return _invalid_link(request)
    pending = services.token_peek(raw=token, purpose=RequestToken.Purpose.VERIFY)
    if pending is None or pending.organisation.slug != organisation:
        return _invalid_link(request)
    if request.method == "GET":
        return render(request, "rights/public/confirm.html", {
            "organisation": pending.organisation,
            "rights_request": pending,
            "what_happens": WHAT_HAPPENS.get(pending.type, ""),
            "delete_hours": services.unverified_deleted_within_hours(),
        })
    verified = services.request_verify(raw=token)
    if verified is None:  # consumed by another click between the peek and now, or expired meanwhile
        return _invalid_link(request)
    logger.info("rights request %s confirmed through the public page", verified.pk)
    return render(request, "rights/public/confirmed.html", {
        "organisation": verified.organisation,
        "rights_request": verified,
        "done": verified.status == Status.COMPLETED,
    })


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(group="rights.links.ip", key="ip", rate=_rate_ip, method="POST", block=False)
def download(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    if request.method == "POST" and getattr(request, "limited", False):
        return ratelimited(request)
    if not _usable(token):
        return _invalid_link(request)
    pending = services.token_peek(raw=token, purpose=RequestToken.Purpose.DOWNLOAD)
    if pending is None or pending.organisation.slug != organisation:
        return _invalid_link(request)
    if request.method == "GET":
        return render(request, "rights/public/download.html", {
            "organisation": pending.organisation, "rights_request": pending,
        })
    opened = services.export_open(raw=token)
    if opened is None:
        return _invalid_link(request)
    filename, content = opened
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    logger.info("rights request %s: export downloaded", pending.pk)
    return response


# Error pages ---------------------------------------------------------------------------------------------------

def ratelimited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 429 page (also settings.RATELIMIT_VIEW, for django-ratelimit's middleware and blocking decorators)."""
    return render(request, "rights/public/429.html", status=429)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "rights/public/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, Ratelimited):
        return ratelimited(request, exception)
    return render(request, "rights/public/403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: an expired form or blocked cookies, said plainly."""
    return render(request, "rights/public/403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "rights/public/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: whatever failed may fail again there.
    return HttpResponseServerError(loader.render_to_string("rights/public/500.html"))
