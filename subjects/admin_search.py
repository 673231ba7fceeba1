"""Admin search that keeps what was searched for out of every URL.

A changelist search is normally a GET (``?q=alice@example.com``): the address then sits in the proxy's and the
web server's access logs, in the browser history and in the next page's Referer, where no erasure reaches. Here
the search box POSTs the term to a small view of the model admin, which keeps it server-side, in the cache and
for ``TIMEOUT`` seconds only, under a random token bound to the user, and redirects to the changelist with that
token (``?qk=<token>``): pagination, filters, sorting and "back to the list" links carry the token, never the
term. A changelist URL with ``?q=`` is redirected to the same list without it, unsearched and without echoing it.

What is kept is whatever ``posted_search_value`` makes of the term: the term itself for the subject list (it
searches names and address prefixes), only keyed hashes for the suppression list. The cache, not the session:
sessions live in the database (and its dumps) for the whole sign-in and hold nothing about data subjects.
"""
from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

TOKEN_VAR = "qk"
TIMEOUT = 30 * 60
MAX_TERM_LENGTH = 200
_CACHE_PREFIX = "admin-posted-search"
# The form's own fields, never carried into the changelist URL.
_NOT_CARRIED = {SEARCH_VAR, TOKEN_VAR, PAGE_VAR, "csrfmiddlewaretoken"}


def _cache_key(request: HttpRequest, token: str) -> str:
    return f"{_CACHE_PREFIX}:{request.user.pk}:{token}"


def posted_search_store(*, request: HttpRequest, model_label: str, value: str) -> str:
    """Keep ``value`` for this user and model; returns the token that names it."""
    token = secrets.token_urlsafe(16)
    cache.set(_cache_key(request, token), {"model": model_label, "value": value}, TIMEOUT)
    return token


def posted_search_read(*, request: HttpRequest, model_label: str, token: str) -> str | None:
    """The value kept under ``token`` for this user and model, or None (unknown, expired, someone else's)."""
    if not token or len(token) > 64:
        return None
    stored = cache.get(_cache_key(request, token))
    if not isinstance(stored, dict) or stored.get("model") != model_label:
        return None
    return stored.get("value")


class PostedSearchChangeList(ChangeList):
    """A changelist whose search term comes from the token in the URL, never from ``?q=``."""

    def __init__(self, request, model, *args, **kwargs):
        self.search_token = request.GET.get(TOKEN_VAR, "")
        self.posted_value = posted_search_read(
            request=request, model_label=model._meta.label, token=self.search_token
        )
        self.search_expired = bool(self.search_token) and self.posted_value is None
        super().__init__(request, model, *args, **kwargs)
        self.search_active = self.posted_value is not None
        # What the search box shows again: the term, unless only its keyed hashes were kept.
        shows_term = getattr(self.model_admin, "posted_search_shows_term", True)
        self.query = (self.posted_value or "") if shows_term else ""
        info = (self.opts.app_label, self.opts.model_name)
        self.search_url = reverse("admin:{}_{}_search".format(*info))
        # The list's own parameters (filters, sorting, popup), posted back with the term and kept in the redirect.
        self.carried_params = {k: v for k, v in self.params.items() if k not in (SEARCH_VAR, TOKEN_VAR)}
        self.clear_search_query_string = self.get_query_string(remove=[TOKEN_VAR, SEARCH_VAR])

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(TOKEN_VAR, None)
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        # The admin's get_search_results is called with self.query inside the base method.
        self.query = self.posted_value or ""
        return super().get_queryset(request, exclude_parameters)


# --- what a model admin calls (from get_changelist, get_urls and changelist_view) ---------------------------------
# Functions rather than a mixin, so an admin whose base class is fixed elsewhere can take part with three hooks:
#
#     posted_search_shows_term = True           # False when posted_search_value keeps keyed hashes only
#     def posted_search_value(self, term): ...  # optional: what is kept for the term (default: the term)
#     def get_changelist(self, request, **kwargs): return PostedSearchChangeList
#     def get_urls(self): return [search_urlpattern(self), *super().get_urls()]
#     def changelist_view(self, request, extra_context=None):
#         return unposted_search_redirect(request) or search_expired_warning(
#             request, super().changelist_view(request, extra_context))


def search_urlpattern(model_admin):
    info = (model_admin.opts.app_label, model_admin.opts.model_name)
    view = model_admin.admin_site.admin_view(lambda request: posted_search_view(model_admin, request))
    return path("search/", view, name="{}_{}_search".format(*info))


def unposted_search_redirect(request: HttpRequest) -> HttpResponse | None:
    """A changelist GET with ``?q=``: the same list without it, unsearched (the term is not echoed anywhere)."""
    if request.method != "GET" or SEARCH_VAR not in request.GET:
        return None
    params = request.GET.copy()
    del params[SEARCH_VAR]
    messages.info(request, _(
        "Search with the search box: what is searched for is not put in web addresses (they end up in logs that "
        "no erasure reaches)."
    ))
    return HttpResponseRedirect(f"{request.path}?{params.urlencode()}" if params else request.path)


def search_expired_warning(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    cl = (getattr(response, "context_data", None) or {}).get("cl")
    if isinstance(cl, PostedSearchChangeList) and cl.search_expired:
        messages.warning(request, _("That search has expired: search again."))
    return response


def posted_search_view(model_admin, request: HttpRequest) -> HttpResponse:
    """The search box's target: keep the term (as the admin's ``posted_search_value`` makes it), then redirect to
    the changelist with the list's own parameters and the token."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    params = QueryDict(mutable=True)
    for key, values in request.POST.lists():
        if key not in _NOT_CARRIED:
            params.setlist(key, values)
    term = " ".join(request.POST.get(SEARCH_VAR, "").split())[:MAX_TERM_LENGTH]
    if term:
        make_value = getattr(model_admin, "posted_search_value", None)
        params[TOKEN_VAR] = posted_search_store(
            request=request, model_label=model_admin.opts.label, value=make_value(term) if make_value else term,
        )
    url = reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")
    return HttpResponseRedirect(f"{url}?{params.urlencode()}" if params else url)
