"""Consent's public side: signed withdraw and confirm links, the cookie-consent JSON endpoint, and the privacy
notice generated from the register (current version, earlier versions, a diff between two, PDF).

- The withdraw link acts only on POST; GET shows what will happen and a button, so a mail scanner that fetches
  the link withdraws nothing. It accepts a POST without a CSRF token: mail programs send the RFC 8058 one-click
  unsubscribe that way, and the signed token is the proof. A tampered or foreign link gets one polite page (400).
- The cookie endpoint takes no cookies and no session: CSRF does not apply, CORS is limited to the origins the
  organisation configured, the body is capped (413) and the rate limited per client address (429), and every
  refusal is a JSON ``{"error": …}``.

Views call only ``consent.services`` (and read through selectors); they never write a row themselves.
"""
from __future__ import annotations

import json
import logging
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from privacy_registry.models import Organisation

from . import links, notice, services
from .models import ConsentRecord, ConsentSettings, CookieCategory, Method, NoticeVersion
from .notice_diff import sectioned_diff
from .notice_pdf import render_pdf

logger = logging.getLogger(__name__)

VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
API_KEYS = frozenset({"visitor_id", "categories", "notice_version"})


def client_ip(request: HttpRequest) -> str:
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def evidence_of(request: HttpRequest) -> services.Evidence:
    return services.Evidence.of(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))


# --- signed links ----------------------------------------------------------------------------------------------


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/public/invalid_link.html", status=400)


def _record_of(record_id: int | None, organisation: str) -> ConsentRecord | None:
    if record_id is None:
        return None
    record = (
        ConsentRecord.objects.select_related("purpose__organisation").filter(pk=record_id, subject__isnull=False)
        .first()
    )
    if record is None or record.purpose.organisation.slug != organisation:
        return None
    return record


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    record = _record_of(links.withdraw_token_read(token), organisation)
    if record is None:
        return _invalid_link(request)
    context = {"organisation": record.purpose.organisation, "purpose": record.purpose, "record": record}
    if request.method == "GET":
        return render(request, "consent/public/withdraw.html", context)
    services.consent_withdraw(record=record, method=Method.EMAIL_LINK, evidence=evidence_of(request),
                              reason="withdraw link")
    return render(request, "consent/public/withdrawn.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    read = links.confirm_token_read(token)
    record = _record_of(read[0] if read else None, organisation)
    if record is None or not record.purpose.wording_hash.startswith(read[1]):
        return _invalid_link(request)
    context = {"organisation": record.purpose.organisation, "purpose": record.purpose, "record": record}
    if request.method == "GET":
        return render(request, "consent/public/confirm.html", context)
    confirmed = services.consent_confirm(record=record, wording_hash_prefix=read[1], evidence=evidence_of(request),
                                         reason="confirm link")
    if confirmed is None:
        return _invalid_link(request)
    return render(request, "consent/public/confirmed.html", context)


# --- the cookie-consent endpoint ----------------------------------------------------------------------------------


def _api_rate(group: str, request: HttpRequest) -> str:
    return settings.CONSENT_API_RATELIMIT


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Sec-GPC"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin, Sec-GPC"
    response["Cache-Control"] = "no-store"
    return response


def _parse_choice(body: bytes) -> tuple[str, dict[str, bool], int | None]:
    """(visitor id, category → allowed, notice version number) from the JSON body; ValueError says what is wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(_("The body is not valid JSON.")) from exc
    except RecursionError as exc:  # arrays or objects nested deeper than the parser goes, still under the size cap
        raise ValueError(_("The body is nested too deeply: a choice is a flat JSON object.")) from exc
    if not isinstance(data, dict):
        raise ValueError(_("The body must be a JSON object."))
    extra = set(data) - API_KEYS
    if extra:
        raise ValueError(_("Unknown field: %(names)s") % {"names": ", ".join(sorted(extra))})
    visitor_id = data.get("visitor_id") or secrets.token_urlsafe(18)
    if not isinstance(visitor_id, str) or not VISITOR_ID.fullmatch(visitor_id):
        raise ValueError(_("visitor_id must be 16 to 64 letters, digits, '-' or '_'."))
    categories = data.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise ValueError(_("categories must be an object of category names and true or false."))
    known = set(CookieCategory.values)
    for name, value in categories.items():
        if name not in known:
            raise ValueError(_("Unknown cookie category: %(names)s") % {"names": name[:40]})
        if not isinstance(value, bool):
            raise ValueError(_("Each category takes true or false."))
    version = data.get("notice_version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValueError(_("notice_version must be a version number."))
    return visitor_id, categories, version


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "OPTIONS"])
@ratelimit(group="consent.cookie_api", key="ip", rate=_api_rate, method=["GET", "POST"], block=False)
def cookie_consent(request: HttpRequest, organisation: str) -> HttpResponse:
    org = Organisation.objects.filter(slug=organisation).first()
    if org is None:
        return _error(_("Unknown organisation."), 404)
    origin = request.headers.get("Origin", "")
    if origin:
        allowed = ConsentSettings.objects.filter(organisation=org).first()
        if allowed is None or origin.rstrip("/").lower() not in allowed.origins:
            return _cors(_error(_("This origin may not record consent for this organisation."), 403), "")
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    if getattr(request, "limited", False):
        return _cors(_error(_("Too many requests. Please try again later."), 429), origin)
    gpc = request.headers.get("Sec-GPC", "").strip() == "1"
    if request.method == "GET":
        visitor_id = request.GET.get("visitor_id", "")
        if visitor_id and not VISITOR_ID.fullmatch(visitor_id):
            return _cors(_error(_("visitor_id must be 16 to 64 letters, digits, '-' or '_'."), 400), origin)
        visitor_id = visitor_id or secrets.token_urlsafe(18)
        state = services.cookie_choice_record(organisation=org, visitor_id=visitor_id, choices=None, gpc=gpc,
                                              evidence=evidence_of(request))
        return _cors(JsonResponse(state.as_json()), origin)
    limit = settings.CONSENT_API_MAX_BODY
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _cors(_error(_("The body is too large."), 413), origin)
    body = request.read(limit + 1)
    if len(body) > limit:
        return _cors(_error(_("The body is too large."), 413), origin)
    if request.content_type != "application/json":
        return _cors(_error(_("Send the choice as application/json."), 415), origin)
    try:
        visitor_id, categories, version_number = _parse_choice(body)
    except ValueError as exc:
        return _cors(_error(str(exc), 400), origin)
    version = None
    if version_number is not None:
        version = NoticeVersion.objects.filter(organisation=org, number=version_number).first()
        if version is None:
            return _cors(_error(_("Unknown notice version."), 400), origin)
    try:
        state = services.cookie_choice_record(organisation=org, visitor_id=visitor_id, choices=categories, gpc=gpc,
                                              notice_version=version, evidence=evidence_of(request))
    except ValidationError as exc:
        return _cors(_error(" ".join(exc.messages), 400), origin)
    logger.info("cookie choice recorded for organisation %s: %s", org.pk, ",".join(state.recorded))
    return _cors(JsonResponse(state.as_json()), origin)


# --- the generated notice -------------------------------------------------------------------------------------------


def _language(request: HttpRequest, available=None) -> str:
    """The language to show a notice in: ``?lang=`` (the page's language links) or the visitor's own, when the
    version holds it; otherwise the site language, in which every version is stored."""
    asked = request.GET.get("lang", "")
    language = asked if asked in notice.LANGUAGES else getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    if available is not None and language not in available:
        language = settings.LANGUAGE_CODE
    return language


def _in_language(language: str, request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """The whole page (frame and notice) in one language, and a Content-Language header that says which."""
    lang_query = f"lang={language}" if request.GET.get("lang") in notice.LANGUAGES else ""
    with translation.override(language):
        response = render(request, template, {
            **context, "notice_language": language, "lang_query": lang_query,
            "notice_languages": [(code, get_language_info(code)["name_local"]) for code in notice.LANGUAGES],
        }, status=status)
    response["Content-Language"] = language
    return response


@require_GET
def notice_page(request: HttpRequest, organisation: str, number: int | None = None) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=organisation)
    versions = list(NoticeVersion.objects.filter(organisation=org).order_by("-number")
                    .only("pk", "number", "published_at", "note", "organisation_id"))
    if not versions:
        return _in_language(_language(request), request, "consent/public/notice_unpublished.html",
                            {"organisation": org}, status=404)
    if number is None:
        shown = versions[0]
    else:
        shown = next((v for v in versions if v.number == number), None)
        if shown is None:
            raise Http404
    shown = NoticeVersion.objects.get(pk=shown.pk)
    language = _language(request, shown.htmls)
    return _in_language(language, request, "consent/public/notice.html", {
        "organisation": org, "version": shown, "versions": versions, "current": versions[0],
        # Generated by consent.notice.render_html, every register text escaped there; stored as it was published.
        "body": mark_safe(shown.html(language)),  # noqa: S308
    })


@require_GET
def notice_diff(request: HttpRequest, organisation: str) -> HttpResponse:
    """Two versions compared, each change under its section. A ``from`` or ``to`` that is not a number or not one of
    the organisation's versions answers 400, says which, and keeps the selectors usable."""
    org = get_object_or_404(Organisation, slug=organisation)
    versions = {v.number: v for v in NoticeVersion.objects.filter(organisation=org)}
    ordered = sorted(versions.values(), key=lambda v: -v.number)
    chosen: dict[str, NoticeVersion | None] = {"from": None, "to": None}
    errors = []
    for key in ("from", "to"):
        raw = request.GET.get(key, "")
        try:
            chosen[key] = versions[int(raw)]
        except ValueError:
            if raw or set(request.GET) - {"lang"}:
                errors.append(_("“%(value)s” is not a version number.") % {"value": raw})
        except KeyError:
            errors.append(_("There is no version %(value)s of this notice.") % {"value": raw})
    old, new = chosen["from"], chosen["to"]
    if errors or old is None or new is None:
        return _in_language(_language(request), request, "consent/public/notice_diff.html", {
            "organisation": org, "versions": ordered, "lines": None, "sections": None, "errors": errors,
            "old": old, "new": new,
        }, status=400 if errors else 200)
    language = _language(request, set(old.texts) & set(new.texts))
    old_text, new_text = old.text(language), new.text(language)
    return _in_language(language, request, "consent/public/notice_diff.html", {
        "organisation": org, "old": old, "new": new, "versions": ordered,
        "sections": sectioned_diff(old_text, new_text),
    })


@require_GET
def notice_pdf(request: HttpRequest, organisation: str, number: int) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=organisation)
    version = get_object_or_404(NoticeVersion, organisation=org, number=number)
    language = _language(request, version.texts)
    with translation.override(language):
        title = str(_("Privacy notice: %(organisation)s") % {"organisation": org.name})
        content = render_pdf(title=title, text=version.text(language), organisation=org.name,
                             number=version.number, published_at=version.published_at)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="privacy-notice-{org.slug}-v{version.number}.pdf"'
    response["Content-Language"] = language
    return response
