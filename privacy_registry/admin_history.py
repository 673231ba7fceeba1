"""The one base of every admin with history (simple-history), in every app.

simple-history's version page ("Revert") checks only that the user may read the history, also when the
version is posted back: a view-only Auditor could rewrite a retention rule or place a legal hold through it.
Here a revert is what it is: a change of the record (or, when the record is gone, an addition) and of its
history, so it needs those rights on the live object. Every change form also takes an optional reason,
written into the history row, so the trail says why as well as what.
"""
from __future__ import annotations

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .translated import LanguageFormMixin, every_language

REASON_FIELD = "change_reason"
REASON_MAX_LENGTH = 200


def _form_with_reason(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    if REASON_FIELD in form_class.base_fields:
        return form_class
    field = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Optional. Kept in the record's history with your name, e.g. \"as agreed with legal, ticket 42\"."),
    )
    return type(form_class.__name__, (LanguageFormMixin, form_class), {REASON_FIELD: field})


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose revert needs the rights a change (or re-creation) needs, with a reason field.

    Its search looks for register texts in every language (``privacy_registry.translated.every_language``)."""

    def get_search_fields(self, request):
        return every_language(self.model, super().get_search_fields(request))

    # Stored in the history as data, in one language, as the services' own reasons are.
    default_change_reason = "changed in admin"
    default_add_reason = "added in admin"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.may_revert(request, object_id):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def may_revert(self, request, object_id) -> bool:
        live = self.get_object(request, unquote(object_id))
        if live is None:  # deleted (or out of this user's reach): reverting would create it again
            allowed = self.has_add_permission(request)
        else:
            allowed = self.has_change_permission(request, live)
        return allowed and self.has_change_history_permission(request, live)

    # --- the reason -------------------------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault("form", _form_with_reason(self.form))
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        # Django's default fieldsets list every form field, the reason among them: it goes last, in its own
        # fieldset, and only for a user who may write (a reader has nothing to explain).
        fieldsets = [
            (name, {**options, "fields": [f for f in options.get("fields", ()) if f != REASON_FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        may_write = self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)
        return [*fieldsets, (_("Why"), {"fields": [REASON_FIELD]})] if may_write else fieldsets

    def change_reason(self, form, change: bool) -> str:
        """What the history row says: the reason the user typed, else what the admin did."""
        typed = (getattr(form, "cleaned_data", {}) or {}).get(REASON_FIELD, "").strip()
        return typed or (self.default_change_reason if change else self.default_add_reason)

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        obj._change_reason = self.change_reason(form, change)
        return obj

