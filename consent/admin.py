"""Consent in the admin: purposes, the consents and their events (read-only: they are the evidence), cookies,
per-organisation settings, the consent report (CSV), and the privacy notice's preview, completeness report and
publication. Every write goes through ``consent.services``.

- A consent given under a wording the purpose no longer has is *stale*: a filter shows them, and the action
  "Ask again" e-mails the people (after commit, a task per consent, ids only).
- The DPO previews the notice from the organisation's page (a button this app adds to it through
  ``privacy_registry.object_tools``), also as a PDF marked "draft", and publishes it there; the completeness report
  (``consent.completeness``: grouped lines, the register's errors included) comes first and is kept with the version.
- Two published versions of an organisation's notice are compared section by section (``diff/<organisation>/``).
"""
from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from privacy_registry import csvsafe, object_tools
from privacy_registry.admin_history import GuardedHistoryAdmin
from privacy_registry.admin_readonly import ReadOnlyAdminMixin
from privacy_registry.models import LegalBasis, Organisation, Purpose
from retention.admin import DisplayOnlyInline
from subjects.admin import add_subject_inline
from subjects.pagination import EstimatedCountPaginator

from . import completeness, notice, notice_diff, selectors, services
from .models import ConsentEvent, ConsentPurpose, ConsentRecord, ConsentSettings, Cookie, NoticeVersion
from .notice_pdf import render_pdf

PREVIEW_PERMISSION = "consent.view_noticeversion"
PUBLISH_PERMISSION = "consent.publish_noticeversion"


# --- purposes ---------------------------------------------------------------------------------------------------


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(GuardedHistoryAdmin, TranslationAdmin):
    list_display = ("name", "organisation", "key", "cookie_category", "double_opt_in", "wording_version", "active")
    list_select_related = ("organisation",)
    list_filter = ("active", "double_opt_in", "cookie_category", "organisation")
    search_fields = ("name", "key", "wording")
    autocomplete_fields = ("organisation", "subject_category")
    filter_horizontal = ("register_purposes",)
    readonly_fields = ("wording_version", "wording_hash", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("organisation", "key", "name", "active", "languages")}),
        (_("What the person agrees to"), {"fields": ("wording", "wording_version", "wording_hash")}),
        (_("In the register"), {"fields": ("register_purposes", "subject_category", "cookie_category",
                                            "double_opt_in")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "register_purposes":
            kwargs["queryset"] = Purpose.objects.filter(legal_basis=LegalBasis.CONSENT).select_related("activity")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.purpose_save(purpose=obj, actor=request.user, reason=self.change_reason(form, change))


# --- consents and events -----------------------------------------------------------------------------------------


class StaleFilter(admin.SimpleListFilter):
    title = _("wording")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return (("yes", _("Stale: agreed to an earlier wording")), ("no", _("Current wording")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.stale_q())
        if self.value() == "no":
            return queryset.exclude(selectors.stale_q())
        return queryset


def _subject_link(subject_id: int | None):
    if subject_id is None:
        return _("(pseudonymous visitor)")
    url = reverse("admin:subjects_datasubject_change", args=[subject_id])
    return format_html('<a href="{}">{}</a>', url, _("Subject #%(id)s") % {"id": subject_id})


class ConsentEventInline(admin.TabularInline):
    model = ConsentEvent
    fk_name = "record"
    extra = 0
    can_delete = False
    fields = ("at", "kind", "method", "notice_version", "wording_hash", "ip_prefix", "user_agent", "age_confirmed",
              "gpc_applied", "gpc_conflict", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "purpose", "person", "state", "method", "given_at", "withdrawn_at", "stale",
                    "wording_version")
    list_select_related = ("purpose__organisation",)
    list_filter = ("state", StaleFilter, "method", "purpose__organisation", "purpose")
    search_fields = ("=subject__id", "=visitor_id")
    search_help_text = _("A subject's number, or a visitor id.")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("purpose", "person", "visitor_id", "state", "method", "given_at", "confirmed_at", "withdrawn_at",
              "notice_version", "wording_version", "wording_hash", "stale", "age_confirmed", "updated_at")
    readonly_fields = fields
    inlines = [ConsentEventInline]
    actions = ["ask_again"]

    @admin.display(description=_("person"), ordering="subject_id")
    def person(self, obj: ConsentRecord):
        return _subject_link(obj.subject_id)

    @admin.display(description=_("stale"), boolean=True)
    def stale(self, obj: ConsentRecord) -> bool:
        return obj.is_stale

    def has_ask_again_permission(self, request) -> bool:
        return request.user.has_perm("consent.change_consentrecord")

    @admin.action(description=_("Ask again (e-mail the current wording to people whose consent is stale)"),
                  permissions=["ask_again"])
    def ask_again(self, request: HttpRequest, queryset) -> None:
        count = services.consents_ask_again(records=queryset.select_related(None).only("pk"), actor=request.user)
        self.message_user(request, ngettext(
            "%(n)d person will be asked again; consents that are not stale, or of visitors, were skipped.",
            "%(n)d people will be asked again; consents that are not stale, or of visitors, were skipped.", count,
        ) % {"n": count}, messages.SUCCESS)


class ReportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.ModelChoiceField(Organisation.objects.order_by("name"), label=_("Organisation"),
                                          required=False)
    purpose = forms.ModelChoiceField(ConsentPurpose.objects.select_related("organisation"), label=_("Purpose"),
                                     required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The start of the range is after its end."))
        return data


REPORT_HEADER = ("event", "at", "organisation", "purpose", "purpose_key", "kind", "method", "subject", "visitor",
                 "notice_version", "wording_hash", "age_confirmed", "gpc_applied", "gpc_conflict")


def consent_report_csv(events) -> bytes:
    """The consent report: one row per event, ids and codes only (no names, no addresses, no IP)."""
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    for event in events.iterator(chunk_size=2000):
        writer.writerow([
            event.pk, event.at.isoformat(), event.purpose.organisation.slug, event.purpose.name, event.purpose.key,
            event.kind, event.method, event.subject_id or "", "yes" if event.visitor_id else "",
            event.notice_version.number if event.notice_version_id else "", event.wording_hash,
            "" if event.age_confirmed is None else ("yes" if event.age_confirmed else "no"),
            "yes" if event.gpc_applied else "no", "yes" if event.gpc_conflict else "no",
        ])
    return buffer.getvalue().encode("utf-8-sig")


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "at", "purpose", "person", "kind", "method", "notice_version", "gpc_applied",
                    "gpc_conflict")
    list_select_related = ("purpose", "notice_version")
    list_filter = ("kind", "method", "gpc_applied", "gpc_conflict", "purpose__organisation", "purpose")
    search_fields = ("=subject__id", "=record__id")
    search_help_text = _("A subject's number, or a consent's number.")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    change_list_template = "admin/consent/consentevent/change_list.html"
    fields = ("record", "purpose", "person", "visitor_id", "kind", "method", "at", "notice_version", "wording_hash",
              "ip_prefix", "user_agent", "age_confirmed", "gpc_applied", "gpc_conflict", "actor", "reason")
    readonly_fields = fields

    @admin.display(description=_("person"), ordering="subject_id")
    def person(self, obj: ConsentEvent):
        return _subject_link(obj.subject_id)

    def get_urls(self):
        return [
            path("report/", self.admin_site.admin_view(self.report_view), name="consent_consentevent_report"),
            *super().get_urls(),
        ]

    def report_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReportForm(request.GET or None, initial={"date_to": timezone.localdate()})
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            events = selectors.events_for_report(
                organisation=data["organisation"], purpose=data["purpose"], date_from=data["date_from"],
                date_to=data["date_to"],
            )
            response = HttpResponse(consent_report_csv(events), content_type="text/csv; charset=utf-8")
            name = f"consent-report-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return TemplateResponse(request, "admin/consent/report.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "title": _("Consent report"),
        })


class SubjectConsentInline(DisplayOnlyInline):
    model = ConsentRecord
    fk_name = "subject"
    fields = ("purpose", "state", "method", "given_at", "withdrawn_at", "wording_version")
    readonly_fields = fields
    verbose_name_plural = _("consents (kept under Consent)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("purpose")


add_subject_inline(SubjectConsentInline)


# --- cookies and settings ------------------------------------------------------------------------------------------


@admin.register(Cookie)
class CookieAdmin(GuardedHistoryAdmin, TranslationAdmin):
    list_display = ("name", "organisation", "category", "vendor", "retention", "party")
    list_select_related = ("organisation", "vendor")
    list_filter = ("category", "party", "organisation")
    search_fields = ("name", "purpose", "vendor__name")
    autocomplete_fields = ("organisation", "vendor", "system")

    def save_model(self, request, obj, form, change):
        services.cookie_save(cookie=obj, actor=request.user, reason=self.change_reason(form, change))


@admin.register(ConsentSettings)
class ConsentSettingsAdmin(GuardedHistoryAdmin):
    list_display = ("organisation",)
    autocomplete_fields = ("organisation",)

    def save_model(self, request, obj, form, change):
        try:
            services.settings_save(consent_settings=obj, actor=request.user, reason=self.change_reason(form, change))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            raise


# --- the notice -----------------------------------------------------------------------------------------------------


class PublishForm(forms.Form):
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    acknowledge_gaps = forms.BooleanField(
        label=_("Publish although the register leaves the items above empty"), required=False,
    )


@admin.register(NoticeVersion)
class NoticeVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "organisation", "published_at", "published_by", "note", "gap_count", "sha256")
    list_select_related = ("organisation", "published_by")
    list_filter = ("organisation",)
    fields = ("organisation", "number", "published_at", "published_by", "note", "sha256", "gaps_report",
              "changes", "texts")
    readonly_fields = fields

    @admin.display(description=_("gaps"))
    def gap_count(self, obj: NoticeVersion) -> int:
        return len(obj.gaps)

    @admin.display(description=_("items the register left empty when published"))
    def gaps_report(self, obj: NoticeVersion) -> str:
        # The stored report, grouped lines or (rows published before the grouping) one line per place.
        return render_to_string("admin/consent/notice_gaps.html", {
            "gaps": [completeness.Gap.from_dict(row) for row in obj.gaps],
        })

    @admin.display(description=_("what changed"))
    def changes(self, obj: NoticeVersion) -> str:
        previous = (NoticeVersion.objects.filter(organisation_id=obj.organisation_id, number__lt=obj.number)
                    .order_by("-number").only("number").first())
        if previous is None:
            return _("The first version.")
        url = reverse("admin:consent_noticeversion_diff", args=[obj.organisation_id])
        return format_html('<a href="{}?{}">{}</a>', url, urlencode({"from": previous.number, "to": obj.number}),
                           _("Compare with the previous version"))

    def get_urls(self):
        return [
            path("preview/<int:organisation_id>/", self.admin_site.admin_view(self.preview_view),
                 name="consent_noticeversion_preview"),
            path("preview/<int:organisation_id>/pdf/", self.admin_site.admin_view(self.preview_pdf_view),
                 name="consent_noticeversion_preview_pdf"),
            path("diff/<int:organisation_id>/", self.admin_site.admin_view(self.diff_view),
                 name="consent_noticeversion_diff"),
            *super().get_urls(),
        ]

    def diff_view(self, request: HttpRequest, organisation_id: int) -> HttpResponse:
        """Two published versions of one organisation's notice in one language, the changes under their sections.

        ``from`` and ``to`` are version numbers of this organisation (another's are not found); without them the
        latest version is compared with the one before. A parameter that is not a number, not a version, or not a
        language answers 400 with the page (its selectors on the versions compared instead) and says which."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        organisation = get_object_or_404(Organisation, pk=organisation_id)
        versions = list(NoticeVersion.objects.filter(organisation=organisation).order_by("-number")
                        .only("pk", "number", "published_at", "note", "organisation_id"))
        by_number = {version.number: version for version in versions}
        errors: list[str] = []
        chosen = {"to": versions[0] if versions else None, "from": versions[1] if len(versions) > 1 else None}
        chosen["from"] = chosen["from"] or chosen["to"]
        for key, label in (("from", _("From")), ("to", _("To"))):
            raw = request.GET.get(key)
            if raw is None:
                continue
            try:
                number = int(raw)
            except ValueError:
                errors.append(_("%(field)s: “%(value)s” is not a version number.") % {"field": label, "value": raw})
                continue
            if number not in by_number:
                errors.append(_("%(field)s: %(organisation)s has no published version %(value)s.") % {
                    "field": label, "organisation": organisation.name, "value": number})
                continue
            chosen[key] = by_number[number]
        language = request.GET.get("language", settings.LANGUAGE_CODE)
        if language not in notice.LANGUAGES:
            errors.append(_("“%(value)s” is not a language of the notice.") % {"value": language})
            language = settings.LANGUAGE_CODE
        old, new = chosen["from"], chosen["to"]
        sections = None
        if old is not None and new is not None:
            old, new = NoticeVersion.objects.get(pk=old.pk), NoticeVersion.objects.get(pk=new.pk)
            if language not in old.texts or language not in new.texts:
                errors.append(_("Not both versions were published in %(language)s: compared in %(fallback)s.") % {
                    "language": language, "fallback": settings.LANGUAGE_CODE})
                language = settings.LANGUAGE_CODE
            sections = notice_diff.sectioned_diff(old.text(language), new.text(language))
        return TemplateResponse(request, "admin/consent/notice_diff.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "organisation": organisation,
            "title": _("Changes to the privacy notice: %(organisation)s") % {"organisation": organisation.name},
            "versions": versions, "old": old, "new": new, "sections": sections, "errors": errors,
            "language": language, "languages": notice.LANGUAGES,
        }, status=400 if errors else 200)

    def preview_view(self, request: HttpRequest, organisation_id: int):
        if not request.user.has_perm(PREVIEW_PERMISSION):
            raise PermissionDenied
        organisation = get_object_or_404(Organisation, pk=organisation_id)
        may_publish = request.user.has_perm(PUBLISH_PERMISSION)
        form = PublishForm(request.POST or None)
        if request.method == "POST":
            if not may_publish:
                raise PermissionDenied
            if form.is_valid():
                try:
                    version = services.notice_publish(
                        organisation=organisation, actor=request.user, note=form.cleaned_data["note"],
                        acknowledge_gaps=form.cleaned_data["acknowledge_gaps"],
                    )
                except ValidationError as exc:
                    self.message_user(request, " ".join(exc.messages), messages.ERROR)
                else:
                    self.message_user(request, _("Published as version %(number)s.") % {"number": version.number},
                                      messages.SUCCESS)
                    return HttpResponseRedirect(request.path)
        language = request.GET.get("language", "en")
        if language not in notice.LANGUAGES:
            language = "en"
        # Each block beside its source, and the register texts the reader would read in another language.
        shown = notice.preview(organisation, language)
        return TemplateResponse(request, "admin/consent/notice_preview.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "organisation": organisation,
            "title": _("Privacy notice: %(organisation)s") % {"organisation": organisation.name},
            "gaps": completeness.completeness(organisation), "body": shown.html, "untranslated": shown.untranslated,
            "language": language, "market_facts": notice.market_facts(organisation),
            "languages": notice.LANGUAGES, "form": form, "may_publish": may_publish,
            "versions": NoticeVersion.objects.filter(organisation=organisation).order_by("-number")[:20],
        })


    def preview_pdf_view(self, request: HttpRequest, organisation_id: int) -> HttpResponse:
        """The notice as it would be published now, as a PDF marked "draft" on every page."""
        if not request.user.has_perm(PREVIEW_PERMISSION):
            raise PermissionDenied
        organisation = get_object_or_404(Organisation, pk=organisation_id)
        language = request.GET.get("language", "en")
        if language not in notice.LANGUAGES:
            language = "en"
        text, _html = notice.render(organisation, language)
        with translation.override(language):
            title = str(_("Privacy notice: %(organisation)s") % {"organisation": organisation.name})
            content = render_pdf(title=title, text=text, organisation=organisation.name)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="privacy-notice-{organisation.slug}-draft.pdf"'
        response["Content-Language"] = language
        return response


def notice_preview_tool(request: HttpRequest, organisation: Organisation) -> tuple[str, str] | None:
    """The "Preview the privacy notice" button on an organisation's admin page."""
    if request is None or not request.user.has_perm(PREVIEW_PERMISSION):
        return None
    return (reverse("admin:consent_noticeversion_preview", args=[organisation.pk]),
            str(_("Preview and publish the privacy notice")))


# The DPO previews and publishes the notice from the organisation's admin page.
object_tools.register("privacy_registry.organisation", "consent.notice", notice_preview_tool)
