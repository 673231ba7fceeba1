"""People in the admin. Writes go through ``subjects.services``; the admin only shows and hands over.

The subject list is built for a million rows: one bounded query per part of the page (the count never
covers the whole table, see ``pagination``), related rows selected up front, facets off, and search that
an index answers (``selectors.subjects_search``). Asserted in tests/test_subject_admin_list_bounded.py.

Higher apps show their own rows on a subject's page (holds, erasure history, consents, requests) by
adding an inline from their admin module: ``subjects.admin.add_subject_inline(LegalHoldInline)``; they add
actions on the subject list the same way (``add_subject_action(erase_now)``), and with ``on_subject_page=True``
the action is also a button on the subject's own page (it posts that one subject to the list's action, so the
same confirmation and the same checks apply). An action that names ``required_permissions`` is offered, in
both places, only to users holding all of them; one with ``applies_to(subject)`` shows its button only where that
is true.

Search never puts what was searched for in a URL (``admin_search``): the box posts the term, the list's URL
carries an opaque token. The subject autocomplete (other admins' subject fields, a GET) searches by number and
name only, never by e-mail address.
"""
from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from privacy_registry.admin_history import GuardedHistoryAdmin
from privacy_registry.models import Organisation
from privacy_registry.services import record_save

from . import admin_search, imports, selectors, services
from .keyed_hash import normalise_email, normalise_phone, suppression_digests
from .models import DataSubject, Engagement, Suppression, SuppressionOverride, SystemRecord
from .pagination import EstimatedCountPaginator

_extra_subject_inlines: list[type[InlineModelAdmin]] = []
# DataSubjectAdmin.actions is this very list, so actions added later (by higher apps) are picked up.
_subject_actions: list = []
# The names of those actions that are also buttons on a subject's page.
_subject_page_actions: list[str] = []


def add_subject_inline(inline: type[InlineModelAdmin]) -> None:
    """Show a higher app's rows on the subject page (call from that app's admin module or ``ready()``)."""
    if inline not in _extra_subject_inlines:
        _extra_subject_inlines.append(inline)


def add_subject_action(action, *, on_subject_page: bool = False) -> None:
    """Offer a higher app's action on the subject list (call from that app's admin module or ``ready()``), and
    with ``on_subject_page`` as a button on each subject's page too."""
    if action not in _subject_actions:
        _subject_actions.append(action)
    if on_subject_page and action.__name__ not in _subject_page_actions:
        _subject_page_actions.append(action.__name__)


def _differs(subject: DataSubject, name: str, value) -> bool:
    model_field = DataSubject._meta.get_field(name)
    if model_field.many_to_many:
        return {c.pk for c in value} != set(subject.categories.values_list("pk", flat=True))
    if model_field.is_relation:
        return getattr(subject, model_field.attname) != (value.pk if value is not None else None)
    return getattr(subject, name) != value


class EngagementInline(admin.TabularInline):
    model = Engagement
    extra = 0
    fields = ("activity", *Engagement.TRIGGER_FIELDS)
    autocomplete_fields = ("activity",)
    verbose_name_plural = _("engagements (processing activities the person is in)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity")


class SystemRecordInline(admin.TabularInline):
    model = SystemRecord
    extra = 0
    fields = ("system", "external_id", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("system",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("system")


class DataSubjectForm(forms.ModelForm):
    override_reason = forms.CharField(
        label=_("Reason for re-creating a suppressed person"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("DPO only. Needed when the e-mail or phone was erased before; the override is recorded."),
    )
    create_duplicate = forms.BooleanField(
        label=_("Create a second subject with this e-mail anyway"), required=False,
        help_text=_("Only for a different person sharing the address: otherwise open the subject already held."),
    )
    # Set by DataSubjectAdmin.get_form: who is saving, for the suppression check.
    actor = None

    class Meta:
        model = DataSubject
        fields = ("organisation", "state", "categories", *services.IDENTITY_FIELDS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields.get("state")
        if state is not None and self.instance.state != DataSubject.State.ERASED:
            # Erasure is the erasure engine's job, never an edit.
            state.choices = [c for c in state.choices if c[0] != DataSubject.State.ERASED]

    def clean(self):
        cleaned = super().clean()
        # Compare with the stored row, not with the form's initial values: reverting to a historical version
        # starts the form from that version, so an old e-mail would not count as changed.
        stored = (
            DataSubject.objects.filter(pk=self.instance.pk).values("email", "phone", "state").first()
            if self.instance.pk is not None else None
        ) or {"email": "", "phone": "", "state": None}
        if stored["state"] == DataSubject.State.ERASED:
            raise ValidationError(_("An erased subject cannot be changed."), code="erased")
        self._refuse_restriction_without_permission(stored["state"], cleaned.get("state"))
        email, phone = cleaned.get("email", ""), cleaned.get("phone", "")
        try:
            services.suppression_check(
                email=email if normalise_email(email) != normalise_email(stored["email"]) else "",
                phone=phone if normalise_phone(phone) != normalise_phone(stored["phone"]) else "",
                actor=self.actor,
                override_reason=cleaned.get("override_reason"),
            )
        except ValidationError as exc:
            by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            for name, errors in by_field.items():
                self.add_error(name if name in self.fields else None, errors)
        if self.instance.pk is None and not cleaned.get("create_duplicate"):
            self._refuse_silent_duplicate(cleaned)
        return cleaned

    def _refuse_restriction_without_permission(self, stored_state: str | None, new_state: str | None) -> None:
        """Restricting processing, or lifting a restriction, by editing the state needs the permission to
        restrict, as the "Restrict processing now" action does."""
        restricted = DataSubject.State.RESTRICTED
        changes_restriction = (
            stored_state is not None and new_state and new_state != stored_state
            and restricted in (stored_state, new_state)
        )
        if changes_restriction and not (self.actor is not None and self.actor.has_perm(services.RESTRICT_PERMISSION)):
            self.add_error("state", ValidationError(
                _("Only staff allowed to restrict processing may restrict a subject or lift a restriction."),
                code="restrict_permission",
            ))

    def _refuse_silent_duplicate(self, cleaned: dict) -> None:
        """Adding a person whose e-mail the organisation already holds is almost always the same person again
        (the CSV import merges them): say so and link to them, unless the user confirms a second subject."""
        organisation, email = cleaned.get("organisation"), cleaned.get("email")
        if organisation is None or not email:
            return
        held = selectors.subjects_by_emails(organisation=organisation, emails=[email]).order_by("pk").first()
        if held is None:
            return
        url = reverse("admin:subjects_datasubject_change", args=[held.pk])
        self.add_error("email", ValidationError(format_html(
            '{} <a href="{}">{}</a>. {}',
            _("This organisation already holds a subject with this e-mail:"), url, held,
            _("Add to that subject instead, or tick \"Create a second subject with this e-mail anyway\"."),
        ), code="duplicate"))


@admin.register(DataSubject)
class DataSubjectAdmin(GuardedHistoryAdmin):
    form = DataSubjectForm
    list_display = ("__str__", "email", "full_name", "company", "organisation", "state", "created_at")
    list_display_links = ("__str__", "email")
    list_select_related = ("organisation",)
    list_filter = (
        "state",
        ("categories", admin.RelatedFieldListFilter),
        ("engagements__activity", admin.RelatedFieldListFilter),
        "organisation",
    )
    # The columns search looks at; get_search_results reads them through the lower() indexes instead of
    # Django's icontains (which no index serves).
    search_fields = ("email", "first_name", "last_name")
    search_help_text = _(
        "A whole e-mail address, the beginning of one, the beginning of a first or last name, or #number. "
        "Case does not matter."
    )
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    autocomplete_fields = ("organisation", "country", "categories")
    readonly_fields = ("public_ref", "created_at", "updated_at")
    inlines = [EngagementInline, SystemRecordInline]
    actions = _subject_actions
    _identity_fieldsets = (
        (_("Identity and contact"), {"fields": (
            ("first_name", "last_name"), "email", "phone", ("company", "job_title"), "language",
        )}),
        (_("Postal address"), {"fields": ("street_address", ("postal_code", "city"), "country")}),
    )
    fieldsets = (
        (None, {"fields": ("organisation", "state", "categories", "public_ref")}),
        *_identity_fieldsets,
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
    # The reference and timestamps are made when the service saves the subject: nothing to show before.
    add_fieldsets = ((None, {"fields": ("organisation", "state", "categories")}), *_identity_fieldsets)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: DataSubject) -> str:
        return obj.full_name

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.add_fieldsets if obj is None else self.fieldsets
        if obj is None:
            fieldsets = (*fieldsets, (_("Same e-mail as a subject already held"), {"fields": ("create_duplicate",)}))
        if request.user.has_perm(services.OVERRIDE_PERMISSION):
            fieldsets = (*fieldsets, (_("Suppression override (DPO)"), {"fields": ("override_reason",)}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_inlines(self, request, obj):
        return [*self.inlines, *_extra_subject_inlines]

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {
            name: action for name, action in actions.items()
            if request.user.has_perms(getattr(action[0], "required_permissions", ()))
        }

    def get_search_results(self, request, queryset, search_term):
        match = request.resolver_match
        # The autocomplete of other admins' subject fields sends what is typed in a GET: numbers and names only.
        by_email = not (match is not None and match.url_name == "autocomplete")
        return selectors.subjects_search(term=search_term, queryset=queryset, by_email=by_email), False

    def get_changelist(self, request, **kwargs):
        return admin_search.PostedSearchChangeList

    def has_change_permission(self, request, obj=None) -> bool:
        # An erased subject is a tombstone: nothing about them is edited back in.
        if obj is not None and obj.state == DataSubject.State.ERASED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a subject would leave their historical rows behind; removal is an erasure, which the
        # erasure engine does completely (history included) and records.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        override_reason = data.get("override_reason") or None
        if change:
            # Every field the form holds, compared with the stored row: a revert from history submits an old
            # version unchanged, and that is still a change to the subject.
            stored = DataSubject.objects.get(pk=obj.pk)
            changes = {
                name: data[name] for name in form.fields
                if name in services.UPDATABLE_FIELDS and name in data and _differs(stored, name, data[name])
            }
            services.subject_update(
                subject=stored, changes=changes, actor=request.user, reason=self.change_reason(form, change),
                override_reason=override_reason,
            )
            return
        subject = services.subject_create(
            organisation=data["organisation"],
            categories=data.get("categories") or (),
            state=data.get("state") or DataSubject.State.ACTIVE,
            actor=request.user,
            reason=self.change_reason(form, change),
            override_reason=override_reason,
            **{name: data.get(name) or ("" if name != "country" else None) for name in services.IDENTITY_FIELDS},
        )
        # The admin goes on with its own instance (inlines, log entry, redirect): make it the saved subject.
        for f in DataSubject._meta.concrete_fields:
            setattr(obj, f.attname, getattr(subject, f.attname))
        obj._state.adding = False
        obj._state.db = subject._state.db

    def save_related(self, request, form, formsets, change):
        # Categories were set by the service; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._change_reason = "removed in admin"
            obj.delete()
        for obj in instances:
            record_save(instance=obj, actor=request.user, reason="saved in admin")
        formset.save_m2m()

    # --- import ------------------------------------------------------------------------------------------
    def get_urls(self):
        urls = super().get_urls()
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=name),
            admin_search.search_urlpattern(self),
            *urls,
        ]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and request.user.has_perm("subjects.add_engagement")

    def changelist_view(self, request, extra_context=None):
        unposted = admin_search.unposted_search_redirect(request)
        if unposted is not None:
            return unposted
        extra_context = {"has_import_permission": self.has_import_permission(request), **(extra_context or {})}
        return admin_search.search_expired_warning(request, super().changelist_view(request, extra_context))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        subject = self.get_object(request, object_id) if request.method in ("GET", "HEAD") else None
        if subject is not None:
            extra_context = {
                "subject_page_actions": self.subject_page_actions(request, subject), **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def subject_page_actions(self, request, subject: DataSubject) -> list[dict]:
        """The list actions this user may run that are buttons on ``subject``'s page (none once erased)."""
        if subject.state == DataSubject.State.ERASED:
            return []
        actions = self.get_actions(request)
        return [
            {"name": name, "label": actions[name][2]}
            for name in _subject_page_actions
            if name in actions and getattr(actions[name][0], "applies_to", lambda s: True)(subject)
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        report = None
        payload = ""
        organisation = None
        form = SubjectImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and "confirm" in request.POST:
            try:
                organisation_id, content = signing.loads(
                    request.POST.get("payload", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
                )
            except signing.BadSignature:
                messages.error(request, _("The preview has expired or was altered: upload the file again."))
                return HttpResponseRedirect(request.path)
            organisation = get_object_or_404(Organisation, pk=organisation_id)
            report = services.subjects_import(
                organisation=organisation, content=content, actor=request.user, commit=True
            )
            if report.committed:
                self.message_user(request, ngettext(
                    "Imported %(rows)d row: %(new)d new subjects, %(engagements)d engagements.",
                    "Imported %(rows)d rows: %(new)d new subjects, %(engagements)d engagements.",
                    len(report.rows),
                ) % {"rows": len(report.rows), "new": report.new_subjects, "engagements": report.engagements},
                    messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:subjects_datasubject_changelist"))
            form = SubjectImportForm(initial={"organisation": organisation})
        elif request.method == "POST" and form.is_valid():
            organisation = form.cleaned_data["organisation"]
            content = form.cleaned_data["file"]
            report = services.subjects_import(
                organisation=organisation, content=content, actor=request.user, commit=False
            )
            if not report.has_errors:
                payload = signing.dumps([organisation.pk, content], salt=IMPORT_SALT, compress=True)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import data subjects and engagements"),
            "form": form,
            "report": report,
            "payload": payload,
            "organisation": organisation,
            "columns": imports.COLUMNS,
            "max_rows": imports.MAX_ROWS,
            "category_separator": imports.CATEGORY_SEPARATOR,
        }
        return TemplateResponse(request, "admin/subjects/datasubject/import.html", context)


IMPORT_SALT = "subjects.import"
IMPORT_MAX_AGE = 3600


class SubjectImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label=_("controller holding the data"),
        help_text=_("Activities and systems in the file are looked up within this organisation."),
    )
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, comma-, semicolon- or tab-separated, header first."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB: split it into smaller files."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text: save it as CSV UTF-8 and try again.")) from exc


# --- suppression list ------------------------------------------------------------------------------------

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Read-only for everyone: entries are made by erasure and lifted only by a recorded DPO override."""

    list_display = ("digest_prefix", "kind", "reason", "created_at")
    list_filter = ("kind", "reason")
    search_fields = ("digest",)
    search_help_text = _(
        "An e-mail address or phone number: shows whether it is suppressed (it is hashed, not stored)."
    )
    fields = ("digest", "kind", "reason", "created_at")
    readonly_fields = fields
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator

    @admin.display(description=_("keyed hash"), ordering="digest")
    def digest_prefix(self, obj: Suppression) -> str:
        return f"{obj.digest[:12]}…"

    # Only the keyed hashes of what was searched for are kept (admin_search), so the box is not filled again.
    posted_search_shows_term = False

    def posted_search_value(self, term: str) -> str:
        looks_like_phone = not any(c.isalpha() for c in term)
        digests = list(suppression_digests(email=term, phone=term if looks_like_phone else ""))
        if _DIGEST.match(term.lower()):  # a keyed hash copied from the list itself
            digests.append(term.lower())
        return " ".join(digests)

    def get_search_results(self, request, queryset, search_term):
        digests = search_term.split()
        if not digests:
            return queryset, False
        return queryset.filter(digest__in=digests), False

    def get_changelist(self, request, **kwargs):
        return admin_search.PostedSearchChangeList

    def get_urls(self):
        return [admin_search.search_urlpattern(self), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        unposted = admin_search.unposted_search_redirect(request)
        if unposted is not None:
            return unposted
        return admin_search.search_expired_warning(request, super().changelist_view(request, extra_context))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(SuppressionOverride)
class SuppressionOverrideAdmin(admin.ModelAdmin):
    """The record of DPO overrides: read-only, never deleted (it is the audit of a lifted suppression)."""

    list_display = ("__str__", "kind", "digest_prefix", "subject", "overridden_by", "overridden_at")
    list_select_related = ("subject", "overridden_by")
    list_filter = ("kind",)
    fields = ("digest", "kind", "suppressed_at", "subject", "reason", "overridden_by", "overridden_at")
    readonly_fields = fields

    @admin.display(description=_("keyed hash"))
    def digest_prefix(self, obj: SuppressionOverride) -> str:
        return f"{obj.digest[:12]}…"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
