"""The register in the admin. Admin classes are views: writes of any weight go through services.

Every foreign key or many-to-many to a register object uses autocomplete, and every changelist
selects its related rows up front, so a page runs a bounded number of queries however large the
register grows (asserted in tests/test_admin_query_bounds.py).
"""
from __future__ import annotations

from collections import defaultdict

from axes import admin as axes_admin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import ForeignKey
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline
from simple_history.models import DeletedObject, ModelChange, ModelDelta
from simple_history.utils import get_m2m_reverse_field_name

from . import selectors, services
from .admin_history import GuardedHistoryAdmin
from .exports.admin import RopaExportAdminMixin
from .models import (
    CorporateGroup,
    Country,
    DataSource,
    DataSubjectCategory,
    Incident,
    NoticeStatement,
    Office,
    Organisation,
    PersonalDataCategory,
    PrivacyContact,
    ProcessingActivity,
    Purpose,
    Recipient,
    SecurityMeasure,
    StatedRight,
    System,
    Transfer,
    Vendor,
)
from .translated import LanguageFormMixin, LanguageInlineFormSet


def _history_object_with_relations(record):
    """The version as a model instance, holding the related objects its history row was selected with."""
    instance = record.history_object
    for field in record.tracked_fields:
        if isinstance(field, ForeignKey):
            historical_field = record._meta.get_field(field.name)
            if historical_field.is_cached(record) and historical_field.get_cached_value(record) is not None:
                field.set_cached_value(instance, historical_field.get_cached_value(record))
    return instance


def _historical_m2m_rows(records) -> dict:
    """Per tracked many-to-many field: its through fields and, by history id, the rows of every version
    (one query per field for the whole page)."""
    if not records:
        return {}
    history_model = type(records[0])
    loaded = {}
    for field in history_model._history_m2m_fields:
        m2m_history_model = getattr(history_model, field.name).model
        opts = m2m_history_model._meta
        through_fields = [
            f.name for f in opts.fields if f.editable and f.name not in ("id", "m2m_history_id", "history")
        ]
        relations = [name for name in through_fields if isinstance(opts.get_field(name), ForeignKey)]
        rows = defaultdict(list)
        queryset = m2m_history_model.objects.filter(history__in=records).select_related(*relations)
        for row in queryset.order_by(get_m2m_reverse_field_name(field)):
            rows[row.history_id].append(row)
        loaded[field.name] = (through_fields, rows)
    return loaded


def _m2m_row_value(row, name: str):
    field = row._meta.get_field(name)
    value = getattr(row, name)
    if value is None and isinstance(field, ForeignKey):
        return DeletedObject(field.related_model, getattr(row, field.attname))
    return value


def _m2m_row_keys(rows, through_fields: list[str]) -> list[tuple]:
    return [tuple(getattr(row, row._meta.get_field(name).attname) for name in through_fields) for row in rows]


def _m2m_changes(loaded: dict, old_record, new_record) -> list[ModelChange]:
    """The many-to-many part of simple-history's diff_against(), read from rows loaded beforehand."""
    changes = []
    for name, (through_fields, rows) in loaded.items():
        old_rows, new_rows = rows.get(old_record.pk, []), rows.get(new_record.pk, [])
        if _m2m_row_keys(old_rows, through_fields) != _m2m_row_keys(new_rows, through_fields):
            old_value = [{f: _m2m_row_value(row, f) for f in through_fields} for row in old_rows]
            new_value = [{f: _m2m_row_value(row, f) for f in through_fields} for row in new_rows]
            changes.append(ModelChange(name, old_value, new_value))
    return changes


class RegisterAdmin(GuardedHistoryAdmin):
    """Common ground: history with field diffs (and the guarded revert), a sane page size."""

    list_per_page = 50
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        services.record_save(instance=obj, actor=request.user, reason=self.change_reason(form, change))

    def save_formset(self, request, form, formset, change):
        # Inline rows are register records too: their history says who and why, as the record's own does.
        rows = formset.save(commit=False)
        for obj in formset.deleted_objects:  # first, as Django does: a new row may take a deleted one's name
            obj._change_reason = "deleted in admin"
            obj.delete()
        for obj in rows:
            reason = "added in admin" if obj._state.adding else "changed in admin"
            services.record_save(instance=obj, actor=request.user, reason=reason)
        formset.save_m2m()

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # simple-history spends two queries per many-to-many field on every version it diffs, and one per
        # foreign key in a version's title: the history page would grow with the record's versions.
        # The page's versions are loaded here once, and diffed as simple-history would.
        if not foreign_keys_are_objs:
            return super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        for record in records:
            record.history_object = _history_object_with_relations(record)
        m2m_rows = _historical_m2m_rows(records)
        for new, old in zip(records, records[1:], strict=False):
            delta = new.diff_against(old, excluded_fields=m2m_rows.keys(), foreign_keys_are_objs=True)
            changes = sorted([*delta.changes, *_m2m_changes(m2m_rows, old, new)], key=lambda change: change.field)
            delta = ModelDelta(changes, [change.field for change in changes], old, new)
            new.history_delta_changes = self.get_historical_record_context_helper(
                request, new
            ).context_for_delta_changes(delta)


@admin.register(Country)
class CountryAdmin(RegisterAdmin):
    list_display = ("name", "code", "is_eea", "has_adequacy", "adequacy_scope")
    list_filter = ("is_eea", "has_adequacy")
    search_fields = ("name", "code")
    ordering = ("name",)


class SelectedObjectAutocomplete(AutocompleteSelect):
    """An autocomplete that renders its selected option from the object its inline row already holds.

    Django's widget looks the selected value up with one query per widget: per inline row."""

    selected_object = None

    def optgroups(self, name, value, attr=None):
        obj = self.selected_object
        key = None if obj is None else getattr(obj, self.field.target_field.attname)
        if key is None or [str(v) for v in value if v not in ("", None)] != [str(key)]:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options.append(self.create_option(name, key, self.choices.field.label_from_instance(obj), True, len(options)))
        return [(None, options, 0)]


class InlineRowForm(LanguageFormMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's add/change-link wrapper
            if isinstance(widget, SelectedObjectAutocomplete):
                model_field = self.instance._meta.get_field(name)
                if model_field.is_cached(self.instance):
                    widget.selected_object = model_field.get_cached_value(self.instance)


class RegisterInlineMixin:
    """Inline rows arrive with the objects they show (in their titles, read-only cells and autocompletes):
    a change form runs the same queries with one inline row as with fifty. Its rows' texts are required in the
    parent's organisation's language (``privacy_registry.translated.LanguageInlineFormSet``)."""

    form = InlineRowForm
    formset = LanguageInlineFormSet

    def get_queryset(self, request):
        relations = [field.name for field in self.model._meta.concrete_fields if field.many_to_one]
        return super().get_queryset(request).select_related(*relations)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SelectedObjectAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PrivacyContactInline(RegisterInlineMixin, TranslationTabularInline):
    model = PrivacyContact
    extra = 0
    fields = ("role", "name", "email", "phone", "postal_address", "url")


class OfficeInline(RegisterInlineMixin, TranslationTabularInline):
    model = Office
    extra = 0
    fields = ("name", "is_headquarters", "street_address", "postal_code", "city", "region", "country", "phone")
    autocomplete_fields = ("country",)


@admin.register(Office)
class OfficeAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("name", "organisation", "is_headquarters", "city", "country")
    list_select_related = ("organisation", "country")
    list_filter = ("is_headquarters", "country")
    search_fields = ("name", "city", "organisation__name")
    autocomplete_fields = ("organisation", "country")


class StatedRightInline(RegisterInlineMixin, TranslationStackedInline):
    model = StatedRight
    extra = 0
    fields = (
        ("right", "offered"), ("channel", "deadline", "extension"), ("fee", "identity_rule", "delivery_format"),
        "conditions",
    )


class NoticeStatementInline(RegisterInlineMixin, TranslationStackedInline):
    model = NoticeStatement
    extra = 0
    fields = (("topic", "order"), "text")


class OrganisationForm(forms.ModelForm):
    other_roles = forms.MultipleChoiceField(
        label=_("also acts as"), choices=Organisation.Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every further role, e.g. a controller that is also another entity's EEA representative."),
    )

    class Meta:
        model = Organisation
        fields = "__all__"  # noqa: DJ007  (the admin narrows it to its fieldsets)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        # The main role is not repeated among the others: the set stays a set.
        cleaned["other_roles"] = [r for r in cleaned.get("other_roles") or [] if r != role]
        return cleaned


@admin.register(CorporateGroup)
class CorporateGroupAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("name", "privacy_notice_url")
    search_fields = ("name", "we_means")


@admin.register(Organisation)
class OrganisationAdmin(RopaExportAdminMixin, RegisterAdmin, TranslationAdmin):
    form = OrganisationForm
    list_display = ("name", "registration_number", "country", "role", "group", "parent", "representative")
    list_select_related = ("country", "parent", "representative", "group")
    list_filter = ("role", "group", "country")
    search_fields = ("name", "trading_name", "registration_number", "slug")
    autocomplete_fields = ("country", "parent", "representative", "group")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [PrivacyContactInline, OfficeInline, StatedRightInline, NoticeStatementInline]
    fieldsets = (
        (None, {"fields": (
            "name", "slug", "trading_name", "role", "other_roles", "group", "parent", "primary_language",
        )}),
        (_("Registration"), {"fields": ("registration_number", "registry_details", "lead_authority")}),
        (_("Address and contact"), {"fields": (
            "street_address", "postal_code", "city", "region", "country", "email", "phone", "other_phones",
            "website",
        )}),
        (_("Representation"), {"fields": ("representative", "binding_language_note")}),
        (_("Notice and rights"), {"fields": (
            "privacy_notice_url", "scope_exclusions", "applicable_law", "rights_request_requirements",
            "request_page_offered", "retention_policy_url",
        )}),
    )


@admin.register(PrivacyContact)
class PrivacyContactAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("organisation", "role", "name", "email")
    list_select_related = ("organisation",)
    list_filter = ("role",)
    search_fields = ("name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)


@admin.register(DataSubjectCategory)
class DataSubjectCategoryAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("name", "minimum_age", "age_check", "vulnerable", "organisation")
    list_select_related = ("organisation",)
    list_filter = ("vulnerable", "organisation")
    search_fields = ("name", "description")
    autocomplete_fields = ("organisation",)


@admin.register(PersonalDataCategory)
class PersonalDataCategoryAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("name", "is_special", "special_category", "is_criminal", "organisation")
    list_select_related = ("organisation",)
    list_filter = ("is_special", "is_criminal", "organisation")
    search_fields = ("name", "description")
    autocomplete_fields = ("organisation",)


class SubProcessorInline(RegisterInlineMixin, TranslationTabularInline):
    model = Vendor
    fk_name = "engaged_by"
    extra = 0
    fields = ("name", "role", "country", "service", "dpa_signed_on")
    autocomplete_fields = ("country",)
    verbose_name = _("sub-processor")
    verbose_name_plural = _("sub-processors engaged by this vendor")
    show_change_link = True


class ServiceInline(RegisterInlineMixin, TranslationTabularInline):
    model = Vendor
    fk_name = "company"
    extra = 0
    fields = ("name", "category", "role", "service", "dpa_in_place")
    verbose_name = _("service")
    verbose_name_plural = _("services of this company")
    show_change_link = True


@admin.register(Vendor)
class VendorAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("name", "company", "category", "role", "organisation", "country", "engaged_by", "dpa_status",
                    "dpf_certified")
    list_select_related = ("country", "engaged_by", "company", "organisation")
    list_filter = ("role", "category", "organisation", "dpf_certified", ("dpa_signed_on", admin.EmptyFieldListFilter),
                   "country")
    search_fields = ("name", "legal_name", "service", "company__name")
    autocomplete_fields = ("country", "engaged_by", "company", "organisation")
    inlines = [ServiceInline, SubProcessorInline]
    fieldsets = (
        (None, {"fields": (
            "name", "legal_name", "company", "category", "role", "engaged_by", "service", "country", "organisation",
        )}),
        (_("Contract"), {"fields": ("dpa_signed_on", "dpa_document", "dpa_url", "dpa_in_place", "dpf_certified")}),
        (_("Contact"), {"fields": ("website", "privacy_policy_url", "privacy_contact_email")}),
        (_("Notes"), {"fields": ("notes",)}),
    )

    @admin.display(description=_("DPA"))
    def dpa_status(self, obj: Vendor) -> str:
        if obj.has_dpa:
            return str(obj.dpa_signed_on or _("on file"))
        return str(_("missing")) if obj.is_processor else "—"


@admin.register(System)
class SystemAdmin(RegisterAdmin):
    list_display = ("name", "organisation", "kind", "vendor", "hosted_in")
    list_select_related = ("organisation", "vendor")
    list_filter = ("kind", "organisation")
    search_fields = ("name", "vendor__name", "description")
    autocomplete_fields = ("organisation", "vendor", "hosting_countries")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hosting_countries")

    @admin.display(description=_("hosted in"))
    def hosted_in(self, obj: System) -> str:
        return ", ".join(c.code for c in obj.hosting_countries.all())


@admin.register(SecurityMeasure)
class SecurityMeasureAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("name", "kind", "organisation")
    list_select_related = ("organisation",)
    list_filter = ("kind", "organisation")
    search_fields = ("name", "description")
    autocomplete_fields = ("organisation",)


class PurposeInline(RegisterInlineMixin, TranslationStackedInline):
    model = Purpose
    extra = 0
    fields = (
        ("description", "order"),
        "direct_marketing",
        ("legal_basis", "legal_basis_not_stated"),
        ("legal_basis_as_stated", "legal_basis_detail"),
        "legitimate_interest",
        ("lia_completed_on", "lia_link"),
        ("article9_condition", "article10_basis"),
        ("provision_requirement", "consequence_of_not_providing"),
        "retention_statement",
    )


class DataSourceInline(RegisterInlineMixin, TranslationTabularInline):
    model = DataSource
    extra = 0


class RecipientInline(RegisterInlineMixin, TranslationTabularInline):
    model = Recipient
    extra = 0
    fields = ("kind", "vendor", "description", "country", "receives")
    readonly_fields = ("receives",)
    autocomplete_fields = ("vendor", "country")
    show_change_link = True  # which data categories it receives is edited on the recipient's own page

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("data_categories")

    @admin.display(description=_("data categories received"))
    def receives(self, obj: Recipient) -> str:
        if obj.pk is None:
            return "—"
        return ", ".join(c.name for c in obj.data_categories.all()) or str(_("not recorded"))


class TransferInline(RegisterInlineMixin, TranslationStackedInline):
    model = Transfer
    extra = 0
    fields = (
        ("destination", "destination_description"), ("vendor", "international_organisation"),
        ("receiving_organisation", "receiving_office"), ("mechanism", "derogation"), "safeguard_document",
        ("tia_completed_on", "tia_link"), "notes",
    )
    autocomplete_fields = ("destination", "vendor", "receiving_organisation", "receiving_office")


class StatedYesNoSelect(forms.NullBooleanSelect):
    """Yes / No as the organisation states it, or "Not stated" (None), which is never read as "No"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("Not stated")), ("true", _("Yes")), ("false", _("No")))


class ProcessingActivityForm(forms.ModelForm):
    class Meta:
        model = ProcessingActivity
        fields = "__all__"  # noqa: DJ007  (the admin narrows it to its fieldsets)
        widgets = {"automated_decision_making": StatedYesNoSelect, "profiling": StatedYesNoSelect}

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if organisation is None:
            return cleaned
        # A category kept by one organisation serves that organisation only; a shared one (no organisation) all.
        for name in ("subject_categories", "data_categories"):
            foreign = [c.name for c in cleaned.get(name) or [] if c.organisation_id not in (None, organisation.pk)]
            if foreign:
                self.add_error(name, _("Kept by another organisation: %(names)s") % {"names": ", ".join(foreign)})
        controllers = cleaned.get("other_controllers") or []
        if any(o.pk == organisation.pk for o in controllers):
            self.add_error("other_controllers", _("The organisation keeping the record is already its controller."))
        return cleaned


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(RegisterAdmin, TranslationAdmin):
    form = ProcessingActivityForm
    list_display = ("name", "organisation", "record_type", "status", "business_function", "review_date", "owner")
    list_select_related = ("organisation", "owner")
    list_filter = ("status", "record_type", "organisation", "dpia_required", "automated_decision_making")
    search_fields = ("name", "reference", "description", "business_function", "purposes__description")
    autocomplete_fields = (
        "organisation", "owner", "reviewer", "joint_controllers", "other_controllers", "subject_categories",
        "data_categories", "systems", "security_measures",
    )
    inlines = [PurposeInline, DataSourceInline, RecipientInline, TransferInline]
    fieldsets = (
        (None, {"fields": (
            "organisation", "record_type", "name", "reference", "business_function", "status", "owner",
            "description", "privacy_notice_url",
        )}),
        (_("Controllers"), {"fields": (
            "other_controllers", "joint_controllers", "joint_arrangement", "controllers_served",
        )}),
        (_("Whose data, which data, where"), {"fields": (
            "subject_categories", "data_categories", "systems",
        )}),
        (_("Retention and security"), {"fields": (
            "retention_statement", "retention_policy_adherence", "retention_policy_deviation", "security_measures",
            "breach_procedure_url",
        )}),
        (_("Risk"), {"fields": (
            ("dpia_required", "dpia_status"), ("dpia_link", "dpia_completed_on"), "other_impact_assessments",
            ("automated_decision_making", "profiling"), "automated_logic", "article22_exception",
            "dpa2018_schedule1_condition",
        )}),
        (_("Review"), {"fields": (("review_date", "last_reviewed_on", "reviewer"),)}),
    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Here rather than in change_view: the activity is already loaded and permission-checked, and a
        # save that redirects never runs the checks.
        if obj is not None:
            context["findings"] = selectors.register_findings(activity=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Purpose)
class PurposeAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("description", "activity", "organisation", "legal_basis", "legal_basis_not_stated",
                    "article9_condition")
    list_select_related = ("activity__organisation",)
    list_filter = ("legal_basis", "legal_basis_not_stated", "article9_condition", "activity__organisation")
    search_fields = ("description", "activity__name", "legal_basis_detail", "legal_basis_as_stated")
    autocomplete_fields = ("activity",)

    @admin.display(description=_("organisation"), ordering="activity__organisation__name")
    def organisation(self, obj: Purpose):
        return obj.activity.organisation


@admin.register(Transfer)
class TransferAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("activity", "vendor", "destination", "mechanism", "derogation", "tia_completed_on")
    list_select_related = ("activity", "vendor", "destination")
    list_filter = ("mechanism", "destination")
    search_fields = ("activity__name", "vendor__name", "destination__name")
    autocomplete_fields = ("activity", "vendor", "destination", "receiving_organisation", "receiving_office")


@admin.register(Recipient)
class RecipientAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("__str__", "kind", "activity", "vendor", "country")
    list_select_related = ("activity", "vendor", "country")
    list_filter = ("kind",)
    search_fields = ("description", "vendor__name", "activity__name")
    autocomplete_fields = ("activity", "vendor", "country", "data_categories")


@admin.register(DataSource)
class DataSourceAdmin(RegisterAdmin, TranslationAdmin):
    list_display = ("__str__", "kind", "activity")
    list_select_related = ("activity",)
    list_filter = ("kind",)
    search_fields = ("description", "activity__name")
    autocomplete_fields = ("activity",)


@admin.register(Incident)
class IncidentAdmin(RegisterAdmin):
    list_display = ("title", "organisation", "detected_at", "risk", "status", "notification_clock")
    list_select_related = ("organisation",)
    list_filter = ("status", "risk", "organisation")
    search_fields = ("title", "nature", "authority_reference")
    autocomplete_fields = ("organisation", "activities", "subject_categories", "data_categories")
    readonly_fields = ("notification_clock",)
    fieldsets = (
        (None, {"fields": ("organisation", "title", "status", "risk", "notification_clock")}),
        (_("What happened"), {"fields": (
            "detected_at", "occurred_at", "nature", "activities", "subject_categories", "data_categories",
            ("approx_subjects", "approx_records"), "consequences", "measures",
        )}),
        (_("Notification"), {"fields": (
            "authority", "authority_notified_at", "authority_reference", "delay_reason",
            "subjects_notified_at", "decision",
        )}),
    )

    @admin.display(description=_("72-hour clock"))
    def notification_clock(self, obj: Incident) -> str:
        if obj.pk is None:
            return "—"
        if obj.authority_notified_at:
            late = obj.authority_notified_at > obj.notification_deadline
            return str(_("notified late") if late else _("notified in time"))
        if not obj.needs_authority_notification:
            return str(_("no notification needed"))
        left = obj.time_left(timezone.now())
        hours = int(left.total_seconds() // 3600)
        if hours < 0:
            return format_html('<strong class="clock-overdue">{}</strong>', _("overdue by %(h)d h") % {"h": -hours})
        return format_html('<strong class="clock-running">{}</strong>', _("%(h)d h left") % {"h": hours})


# --- django-axes' sign-in attempts --------------------------------------------------------------------------------
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """axes' own list, but its "Clean up expired attempts" reads request attributes that only axes' sign-in handling
    sets (django-axes 8.3 answered 500, AttributeError axes_attempt_time): they are set first, as its handlers do."""

    @admin.action(description=axes_admin.AccessAttemptAdmin.cleanup_expired_attempts.short_description)
    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return super().cleanup_expired_attempts(request, queryset)


# axes.admin registered its own before this module (INSTALLED_APPS order; the admin autodiscovers in that order).
admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
