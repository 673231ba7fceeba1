"""Retention in the admin: rules, legal holds, the erasure log, sweep runs and their previews, and the subject
list's "erase now" action. Views only: every write goes through ``retention.services`` or ``retention.engine``.

- Erasure records are read-only for everyone, superusers included: they are the proof.
- Sweep runs are read-only; "Preview tonight's sweep" starts a dry run and shows it, and a DPO approves a
  preview there when ``RETENTION_REQUIRE_APPROVAL`` is on.
- Holds are placed through ``hold_place`` and released through ``hold_release`` (an action), never edited.
- The subject page shows the subject's holds and erasure records (inlines added to the subjects admin), and
  "Erase now" / "Restrict processing now" as buttons (the list's actions, for the DPO, with their confirmation).
"""
from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from privacy_registry.admin_history import GuardedHistoryAdmin
from privacy_registry.admin_readonly import ReadOnlyAdminMixin
from subjects.admin import add_subject_action, add_subject_inline
from subjects.masking import mask_email, mask_name
from subjects.models import DataSubject
from subjects.pagination import EstimatedCountPaginator
from subjects.services import RESTRICT_PERMISSION

from . import engine, followups, selectors, services
from .models import ErasureRecord, LegalHold, ProcessorErasure, RetentionRule, SweepRun, SystemErasureChannel

ERASE_PERMISSION = "retention.erase_datasubject"
PREVIEW_PERMISSION = "retention.preview_sweeprun"
# "Erase now" is for a person or a handful, each audited one by one; mass erasure is what rules are for.
ERASE_NOW_LIMIT = 100


# --- rules -----------------------------------------------------------------------------------------------------


@admin.register(RetentionRule)
class RetentionRuleAdmin(GuardedHistoryAdmin, TranslationAdmin):
    list_display = ("__str__", "activity", "organisation", "rule", "subject_category", "enabled", "swept")
    list_display_links = ("__str__",)
    list_select_related = ("activity__organisation", "subject_category")
    list_filter = ("enabled", "action", "trigger", "activity__organisation")
    search_fields = ("activity__name", "statement", "legal_reference")
    autocomplete_fields = ("activity", "subject_category", "data_category")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("activity", "subject_category", "data_category")}),
        (_("As the organisation states it"), {"fields": ("statement", "legal_reference")}),
        (_("Rule"), {"fields": (
            ("period_amount", "period_unit", "period_is_ceiling"), "trigger", "trigger_event", "action",
            ("second_period_amount", "second_period_unit"), "backup_exception", "enabled",
        )}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("organisation"), ordering="activity__organisation__name")
    def organisation(self, obj: RetentionRule):
        return obj.activity.organisation

    @admin.display(description=_("rule"))
    def rule(self, obj: RetentionRule) -> str:
        return obj.describe()

    @admin.display(description=_("swept"), boolean=True)
    def swept(self, obj: RetentionRule) -> bool:
        return obj.is_swept

    def save_model(self, request, obj, form, change):
        services.rule_save(rule=obj, actor=request.user, reason=self.change_reason(form, change))


# --- holds -----------------------------------------------------------------------------------------------------


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("subject", "activity", "reason", "until")


@admin.register(LegalHold)
class LegalHoldAdmin(GuardedHistoryAdmin):
    form = LegalHoldForm
    list_display = ("__str__", "target", "until", "active", "placed_by", "placed_at", "released_at")
    list_select_related = ("activity", "placed_by")
    list_filter = ("released_at", "until")
    search_fields = ("=subject__id", "activity__name")
    autocomplete_fields = ("subject", "activity")
    readonly_fields = ("placed_by", "placed_at", "released_at", "released_by")
    actions = ["release"]

    @admin.display(description=_("on"))
    def target(self, obj: LegalHold):
        if obj.subject_id:
            url = reverse("admin:subjects_datasubject_change", args=[obj.subject_id])
            return format_html('<a href="{}">{}</a>', url, _("Subject #%(id)s") % {"id": obj.subject_id})
        return obj.activity

    @admin.display(description=_("in force"), boolean=True)
    def active(self, obj: LegalHold) -> bool:
        return obj.is_active()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("subject", "activity", "reason", "until")
        return ("subject", "activity", "reason", "until", "placed_by", "placed_at", "released_at", "released_by")

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("retention.place_legalhold")

    def has_change_permission(self, request, obj=None) -> bool:
        # A hold is not edited: it is released (and a new one placed if needed), so its history stays plain.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_release_permission(self, request) -> bool:
        return request.user.has_perm("retention.release_legalhold")

    def save_model(self, request, obj, form, change):
        hold = services.hold_place(
            subject=obj.subject, activity=obj.activity, reason=obj.reason, until=obj.until, actor=request.user,
        )
        obj.pk = hold.pk
        obj._state.adding = False

    @admin.action(description=_("Release the selected holds"), permissions=["release"])
    def release(self, request: HttpRequest, queryset) -> None:
        released = 0
        for hold in queryset.filter(released_at__isnull=True):
            services.hold_release(hold=hold, actor=request.user)
            released += 1
        self.message_user(request, ngettext(
            "Released %(n)d hold. The next sweep erases what it was keeping, if that is due.",
            "Released %(n)d holds. The next sweep erases what they were keeping, if that is due.", released,
        ) % {"n": released}, messages.SUCCESS)


# --- erasure records ------------------------------------------------------------------------------------------


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "subject_link", "action", "reason", "rule", "request_ref", "run", "erased_at")
    list_select_related = ("rule", "run")
    list_filter = ("action", "reason")
    search_fields = ("=subject__id", "=request_ref")
    search_help_text = _("A subject's number, or a request reference.")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = ("subject_link", "erased_at", "action", "reason", "rule", "request_ref", "run", "actor", "receipt_table")
    readonly_fields = fields

    @admin.display(description=_("data subject"), ordering="subject_id")
    def subject_link(self, obj: ErasureRecord):
        url = reverse("admin:subjects_datasubject_change", args=[obj.subject_id])
        return format_html('<a href="{}">{}</a>', url, _("Subject #%(id)s") % {"id": obj.subject_id})

    @admin.display(description=_("receipt"))
    def receipt_table(self, obj: ErasureRecord):
        return format_html("<pre>{}</pre>", json.dumps(obj.receipt, indent=2, sort_keys=True))


# --- vendor follow-ups --------------------------------------------------------------------------------------


@admin.register(ProcessorErasure)
class ProcessorErasureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What each vendor was told (erase, or restrict processing) and whether it confirmed; failures show why.
    Never the outside id."""

    list_display = ("__str__", "kind", "system", "channel", "status", "attempts", "reminders", "last_error",
                    "sent_at", "next_attempt_at", "confirmed_at", "erasure_record")
    list_select_related = ("system", "erasure_record")
    list_filter = ("kind", "status", "channel")
    search_fields = ("=subject__id", "=erasure_record__id")
    search_help_text = _("A subject's number, or an erasure record's number.")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("kind", "erasure_record", "subject_id", "system", "system_record", "channel", "status", "attempts",
              "reminders", "last_error", "next_attempt_at", "sent_at", "confirmed_at", "confirmed_by", "created_at")
    readonly_fields = fields
    actions = ["mark_confirmed", "retry_now"]

    def has_followup_permission(self, request) -> bool:
        return request.user.has_perm("retention.change_processorerasure")

    @admin.action(description=_("Mark confirmed by the vendor (empties any stored id)"), permissions=["followup"])
    def mark_confirmed(self, request: HttpRequest, queryset) -> None:
        closed = followups.followups_confirm(followup_ids=queryset.values_list("pk", flat=True), actor=request.user)
        self.message_user(request, ngettext("%(n)d follow-up confirmed.", "%(n)d follow-ups confirmed.", closed)
                          % {"n": closed}, messages.SUCCESS)

    @admin.action(description=_("Retry now"), permissions=["followup"])
    def retry_now(self, request: HttpRequest, queryset) -> None:
        queued = followups.followups_retry(followup_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("%(n)d follow-up queued to be sent again.",
                                            "%(n)d follow-ups queued to be sent again.", queued) % {"n": queued},
                          messages.SUCCESS)


@admin.register(SystemErasureChannel)
class SystemErasureChannelAdmin(admin.ModelAdmin):
    """The secret itself is never here: only its name, checked against the environment when saved."""

    list_display = ("__str__", "system", "channel", "webhook_url", "secret_name")
    list_select_related = ("system",)
    list_filter = ("channel",)


# --- sweep runs -----------------------------------------------------------------------------------------------


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "as_of", "dry_run", "started_at", "finished_at", "acted", "held", "failed",
                    "approved_at")
    list_filter = ("status", "dry_run")
    fields = ("status", "as_of", "window", "dry_run", "chunk_size", "started_at", "finished_at", "started_by",
              "approved_by", "approved_at", "preview", "error", "rule_errors", "future_as_of_by", "future_as_of_reason")
    readonly_fields = fields

    @admin.display(description=_("acted on"))
    def acted(self, obj: SweepRun) -> str:
        return obj.summary()

    @admin.display(description=_("held"))
    def held(self, obj: SweepRun) -> int:
        return obj.totals().get("held", 0)

    @admin.display(description=_("failed"))
    def failed(self, obj: SweepRun) -> int:
        return obj.totals().get("failed", 0)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("preview/", self.admin_site.admin_view(self.preview_view), name=f"{prefix}_preview"),
            path("<int:pk>/approve/", self.admin_site.admin_view(self.approve_view), name=f"{prefix}_approve"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_preview": request.user.has_perm(PREVIEW_PERMISSION),
            "approval_required": settings.RETENTION_REQUIRE_APPROVAL,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if run is not None:
            rules = RetentionRule.objects.select_related("activity").in_bulk([int(pk) for pk in run.counts])
            extra_context["rule_rows"] = [
                {"rule": rules.get(int(pk)), "rule_id": pk, "counts": counts, "sample": run.sample.get(pk, [])}
                for pk, counts in run.counts.items()
            ]
            extra_context["count_keys"] = services.COUNT_KEYS
            extra_context["can_approve"] = (
                run.dry_run and run.status == SweepRun.Status.SUCCEEDED and run.approved_at is None
                and request.user.has_perm(services.APPROVE_PERMISSION)
            )
            extra_context["approval_required"] = settings.RETENTION_REQUIRE_APPROVAL
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(PREVIEW_PERMISSION):
            raise PermissionDenied
        run = services.sweep_run(dry_run=True, actor=request.user)
        if run.rule_errors:  # the rules that could not be computed are passed over, and named, not a 500
            self.message_user(request, _(
                "Preview as of %(date)s failed for %(n)d rule(s), not counted: %(errors)s. The other rules: "
                "%(summary)s would be acted on."
            ) % {"date": run.as_of.isoformat(), "n": len(run.rule_errors), "summary": run.summary(),
                 "errors": "; ".join(f"#{pk} {why}" for pk, why in run.rule_errors.items())}, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:retention_sweeprun_change", args=[run.pk]))
        self.message_user(request, _("Preview as of %(date)s: %(summary)s would be acted on.") % {
            "date": run.as_of.isoformat(), "summary": run.summary(),
        }, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:retention_sweeprun_change", args=[run.pk]))

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = get_object_or_404(SweepRun, pk=pk)
        try:
            services.sweep_preview_approve(run=run, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("Approved: the next sweep carries out this preview (as of %(date)s).")
                              % {"date": run.as_of.isoformat()}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:retention_sweeprun_change", args=[run.pk]))


# --- on the subject's page ------------------------------------------------------------------------------------


class DisplayOnlyInline(admin.TabularInline):
    """Rows shown on the subject's page and never edited there. They take no part in saving the page (a POST
    neither carries nor needs their forms), and are left out of the add page, where there is nothing to show."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request, obj=None) -> bool:
        # Asked with obj=None on the change page too (for the inline's queryset), so the add page is told
        # apart by its URL.
        match = request.resolver_match
        on_add_page = match is not None and (match.url_name or "").endswith("_add")
        if on_add_page or request.method not in ("GET", "HEAD"):
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LegalHoldInline(DisplayOnlyInline):
    model = LegalHold
    fk_name = "subject"
    fields = ("reason", "until", "placed_by", "placed_at", "released_at")
    readonly_fields = fields
    verbose_name_plural = _("legal holds (placed and released under Retention)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("placed_by")


class ErasureRecordInline(DisplayOnlyInline):
    model = ErasureRecord
    fk_name = "subject"
    fields = ("erased_at", "action", "reason", "rule", "request_ref", "run")
    readonly_fields = fields
    verbose_name_plural = _("erasure history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rule", "run")


add_subject_inline(LegalHoldInline)
add_subject_inline(ErasureRecordInline)


class EraseNowForm(forms.Form):
    request_ref = forms.CharField(
        label=_("Request or ticket reference"), max_length=100, required=False,
        help_text=_("Shown in the erasure record. A number, never a name or an address."),
    )


# The two things "now" does, from the subject list or a subject's own page (its buttons post one subject to the
# list's action): erase (Art. 17) and restrict processing (Art. 18). Each asks a confirmation page first, which
# names the subjects by number with their name and address masked, enough to recognise, not to copy.
ERASE, RESTRICT = "erase", "restrict"


def _act_now(modeladmin, request: HttpRequest, queryset, *, mode: str):
    if not request.user.has_perm(ERASE_PERMISSION if mode == ERASE else RESTRICT_PERMISSION):
        raise PermissionDenied
    subjects = list(
        queryset.select_related(None).order_by("pk")
        .only("pk", "state", "first_name", "last_name", "email")[: ERASE_NOW_LIMIT + 1]
    )
    if len(subjects) > ERASE_NOW_LIMIT:
        modeladmin.message_user(request, _(
            "Select at most %(n)d subjects to erase at once; erase larger groups with a retention rule."
        ) % {"n": ERASE_NOW_LIMIT}, messages.ERROR)
        return None
    from_subject_page = request.POST.get("from_subject_page") == "1" and len(subjects) == 1
    form = EraseNowForm(request.POST if request.POST.get("post") == "yes" else None)
    if form.is_bound and form.is_valid():
        request_ref = form.cleaned_data["request_ref"].strip()
        if mode == ERASE:
            _erase(modeladmin, request, subjects, request_ref=request_ref)
        else:
            _restrict(modeladmin, request, subjects, request_ref=request_ref)
        if from_subject_page:
            return HttpResponseRedirect(reverse("admin:subjects_datasubject_change", args=[subjects[0].pk]))
        return None
    held_ids = selectors.subjects_held(subject_ids=[s.pk for s in subjects], as_of=timezone.localdate())
    rows = [
        {
            "subject": s, "name": mask_name(s.full_name), "email": mask_email(s.email),
            "held": s.pk in held_ids, "erased": s.state == DataSubject.State.ERASED,
            "restricted": s.state == DataSubject.State.RESTRICTED,
        }
        for s in subjects
    ]
    erased = sum(1 for r in rows if r["erased"])
    held = sum(1 for r in rows if r["held"] and not r["erased"])
    restricted = sum(1 for r in rows if r["restricted"])
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Erase data subjects now") if mode == ERASE else _("Restrict processing of data subjects now"),
        "opts": modeladmin.model._meta,
        "mode": mode,
        "rows": rows,
        "to_erase": len(rows) - erased - held,
        "held": held,
        "already_erased": erased,
        # A hold does not stop a restriction: it keeps the data, which is what a hold asks.
        "to_restrict": len(rows) - erased - restricted,
        "already_restricted": restricted,
        "form": form,
        "from_subject_page": from_subject_page,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "erase_now" if mode == ERASE else "restrict_now",
    }
    return TemplateResponse(request, "admin/retention/erase_confirmation.html", context)


def _erase(modeladmin, request: HttpRequest, subjects: list[DataSubject], *, request_ref: str) -> None:
    erased = held = skipped = 0
    for subject in subjects:
        if subject.state == DataSubject.State.ERASED:
            skipped += 1
            continue
        try:
            engine.subject_erase(
                subject=subject, reason=ErasureRecord.Reason.ADMIN, actor=request.user, request_ref=request_ref,
            )
        except engine.SubjectHeld:
            held += 1
        else:
            erased += 1
    modeladmin.message_user(request, ngettext(
        "Erased %(n)d subject.", "Erased %(n)d subjects.", erased) % {"n": erased}, messages.SUCCESS)
    if held:
        modeladmin.message_user(request, ngettext(
            "%(n)d subject is under a legal hold and was not erased.",
            "%(n)d subjects are under a legal hold and were not erased.", held) % {"n": held}, messages.WARNING)
    if skipped:
        modeladmin.message_user(request, ngettext(
            "%(n)d subject was already erased.", "%(n)d subjects were already erased.", skipped) % {"n": skipped},
            messages.INFO)


def _restrict(modeladmin, request: HttpRequest, subjects: list[DataSubject], *, request_ref: str) -> None:
    restricted = skipped = 0
    for subject in subjects:
        record = engine.subject_restrict(
            subject=subject, reason=ErasureRecord.Reason.ADMIN, actor=request.user, request_ref=request_ref,
        )
        if record is None:  # already restricted, or erased
            skipped += 1
        else:
            restricted += 1
    modeladmin.message_user(request, ngettext(
        "Restricted processing of %(n)d subject.", "Restricted processing of %(n)d subjects.", restricted,
    ) % {"n": restricted}, messages.SUCCESS)
    if skipped:
        modeladmin.message_user(request, ngettext(
            "%(n)d subject was already restricted or erased.", "%(n)d subjects were already restricted or erased.",
            skipped,
        ) % {"n": skipped}, messages.INFO)


@admin.action(description=_("Erase now (Art. 17)…"))
def erase_now(modeladmin, request: HttpRequest, queryset):
    """Erase the selected subjects one by one through the erasure engine, after a confirmation page."""
    return _act_now(modeladmin, request, queryset, mode=ERASE)


@admin.action(description=_("Restrict processing now (Art. 18)…"))
def restrict_now(modeladmin, request: HttpRequest, queryset):
    """Restrict the selected subjects one by one through the engine's restriction, after a confirmation page."""
    return _act_now(modeladmin, request, queryset, mode=RESTRICT)


# Both change what every processing may do with a person, so each asks its own permission (the DPO's role has both).
erase_now.required_permissions = (ERASE_PERMISSION,)
restrict_now.required_permissions = (RESTRICT_PERMISSION,)
restrict_now.applies_to = lambda subject: subject.state == DataSubject.State.ACTIVE
add_subject_action(erase_now, on_subject_page=True)
add_subject_action(restrict_now, on_subject_page=True)


# The events of event-triggered rules: their list, the subject list's "Record a retention event…", the subject's inline.
from . import admin_events  # noqa: E402, F401  (last: it builds on DisplayOnlyInline above)
