"""Events of event-triggered retention rules in the admin (imported by ``retention.admin``). Views only: every write
goes through ``retention.events``.

- "Record a retention event…" on the subject list, and as a button on a subject's page: pick one of the
  event-triggered rules of the selected subjects' activities, the day it occurred and what happened. All or
  nothing: a refusal is shown on the form, saying what and for which subject numbers.
- The list of events shows status and due day; a pending one can be cancelled (with the reason), never edited or
  deleted. The nightly sweep carries out the pending ones on their day. One whose rule erases at once, recorded by
  someone without the erase permission, awaits approval: a DPO (the erase permission) approves or cancels it.
- The subject's page lists the subject's events.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from privacy_registry.admin_history import GuardedHistoryAdmin
from subjects.admin import add_subject_action, add_subject_inline
from subjects.models import DataSubject

from . import events, selectors
from .admin import DisplayOnlyInline
from .models import RetentionEvent

RECORD_PERMISSION = "retention.add_retentionevent"
CANCEL_PERMISSION = "retention.cancel_retentionevent"
# Recorded set-wise, so more than "erase now" allows; the page lists them by number.
RECORD_LIMIT = 500


class RecordEventForm(forms.Form):
    rule = forms.ModelChoiceField(
        label=_("Retention rule"), queryset=None,
        help_text=_("The event-triggered rules of the processing activities the selected subjects are in."),
    )
    occurred_on = forms.DateField(label=_("The event occurred on"), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the event became known, e.g. a ticket number. Never a name or an address."),
    )

    def __init__(self, *args, subject_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        field.queryset = selectors.event_rules_for_subjects(subject_ids=subject_ids)
        field.label_from_instance = lambda rule: _("Rule #%(id)s (%(activity)s): %(rule)s") % {
            "id": rule.pk, "activity": rule.activity.name, "rule": rule.describe(),
        }


class CancelEventForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


def _form_page(modeladmin, request: HttpRequest, *, title, intro, form, ids, action_name, submit,
               from_subject_page=False):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title, "intro": intro, "opts": modeladmin.model._meta, "form": form, "ids": ids,
        "action_name": action_name, "submit": submit, "from_subject_page": from_subject_page,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/retention/event_form.html", context)


@admin.action(description=_("Record a retention event…"))
def record_event(modeladmin, request: HttpRequest, queryset):
    """Record an event-triggered rule's event for the selected subjects, after a form (``events.events_record``)."""
    if not request.user.has_perm(RECORD_PERMISSION):
        raise PermissionDenied
    ids = list(queryset.select_related(None).order_by("pk").values_list("pk", flat=True)[: RECORD_LIMIT + 1])
    if len(ids) > RECORD_LIMIT:
        modeladmin.message_user(request, _("Select at most %(n)d subjects to record an event for at once.")
                                % {"n": RECORD_LIMIT}, messages.ERROR)
        return None
    from_subject_page = request.POST.get("from_subject_page") == "1" and len(ids) == 1
    form = RecordEventForm(request.POST if request.POST.get("post") == "yes" else None, subject_ids=ids)
    if not form.fields["rule"].queryset.exists():
        modeladmin.message_user(request, _(
            "No event-triggered retention rule applies to the processing activities of the selected subjects."
        ), messages.ERROR)
        return _back(ids, from_subject_page)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = events.events_record(rule=data["rule"], subject_ids=ids, occurred_on=data["occurred_on"],
                                            reason=data["reason"], actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            modeladmin.message_user(request, _("Nothing was recorded: see the reasons below."), messages.ERROR)
        else:
            due_on = recorded[0].due_on
            if recorded[0].status == RetentionEvent.Status.AWAITING_APPROVAL:
                modeladmin.message_user(request, ngettext(
                    "Recorded the event for %(n)d subject, due on %(date)s. It would erase at once, so it awaits "
                    "a DPO's approval: the sweep does nothing for it until then.",
                    "Recorded the event for %(n)d subjects, due on %(date)s. It would erase at once, so it awaits "
                    "a DPO's approval: the sweep does nothing for them until then.",
                    len(recorded),
                ) % {"n": len(recorded), "date": due_on.isoformat()}, messages.WARNING)
                return _back(ids, from_subject_page)
            modeladmin.message_user(request, ngettext(
                "Recorded the event for %(n)d subject, due on %(date)s: the nightly sweep carries it out then.",
                "Recorded the event for %(n)d subjects, due on %(date)s: the nightly sweep carries it out then.",
                len(recorded),
            ) % {"n": len(recorded), "date": due_on.isoformat()}, messages.SUCCESS)
            return _back(ids, from_subject_page)
    intro = ngettext(
        "Record that the event of a retention rule occurred for %(n)d subject. On the due day (the day it occurred "
        "plus the rule's period) the nightly sweep applies the rule to them: held subjects wait for the hold to end.",
        "Record that the event of a retention rule occurred for %(n)d subjects. On the due day (the day it "
        "occurred plus the rule's period) the nightly sweep applies the rule to them: held subjects wait for the "
        "hold to end.", len(ids),
    ) % {"n": len(ids)}
    return _form_page(modeladmin, request, title=_("Record a retention event"), intro=intro, form=form, ids=ids,
                      action_name="record_event", submit=_("Record the event"), from_subject_page=from_subject_page)


def _back(ids: list[int], from_subject_page: bool):
    if from_subject_page:
        return HttpResponseRedirect(reverse("admin:subjects_datasubject_change", args=[ids[0]]))
    return None


record_event.required_permissions = (RECORD_PERMISSION,)
# The button shows on a subject's page only where an event-triggered rule applies to one of their activities.
record_event.applies_to = lambda subject: (
    subject.state != DataSubject.State.ERASED
    and selectors.event_rules_for_subjects(subject_ids=[subject.pk]).exists()
)
add_subject_action(record_event, on_subject_page=True)


@admin.register(RetentionEvent)
class RetentionEventAdmin(GuardedHistoryAdmin):
    list_display = ("__str__", "rule", "subject_link", "occurred_on", "due_on", "status", "outcome", "recorded_by",
                    "recorded_at", "handled_at", "run")
    list_select_related = ("rule", "recorded_by", "run")
    list_filter = ("status", "outcome", "due_on")
    search_fields = ("=subject__id", "=rule__id")
    search_help_text = _("A subject's number, or a rule's number.")
    fields = ("rule", "subject_link", "occurred_on", "reason", "recorded_by", "recorded_at", "restrict_on", "due_on",
              "status", "approved_by", "approved_at", "outcome", "handled_at", "run", "erasure_record",
              "cancelled_at", "cancelled_by", "cancel_reason")
    readonly_fields = fields
    actions = ["approve", "cancel"]

    @admin.display(description=_("data subject"), ordering="subject_id")
    def subject_link(self, obj: RetentionEvent):
        url = reverse("admin:subjects_datasubject_change", args=[obj.subject_id])
        return format_html('<a href="{}">{}</a>', url, _("Subject #%(id)s") % {"id": obj.subject_id})

    def has_add_permission(self, request) -> bool:
        return False  # recorded from the subjects (the list's action, or the subject's page)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # cancelled, never edited

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm(CANCEL_PERMISSION)

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm(events.ERASE_PERMISSION)

    @admin.action(description=_("Approve the selected events awaiting approval"), permissions=["approve"])
    def approve(self, request: HttpRequest, queryset):
        try:
            approved = events.events_approve(event_ids=queryset.values_list("pk", flat=True), actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(request, ngettext(
            "Approved %(n)d event: the nightly sweep carries it out when it is due.",
            "Approved %(n)d events: the nightly sweep carries them out when they are due.", approved,
        ) % {"n": approved}, messages.SUCCESS)

    @admin.action(description=_("Cancel the selected pending events…"), permissions=["cancel"])
    def cancel(self, request: HttpRequest, queryset):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        form = CancelEventForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            try:
                cancelled = events.events_cancel(event_ids=ids, reason=form.cleaned_data["reason"],
                                                 actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return None
            self.message_user(request, ngettext(
                "Cancelled %(n)d event: nothing will be done for it.",
                "Cancelled %(n)d events: nothing will be done for them.", cancelled,
            ) % {"n": cancelled}, messages.SUCCESS)
            return None
        intro = ngettext(
            "Cancel %(n)d retention event: the sweep will not act on it. Only pending events can be cancelled.",
            "Cancel %(n)d retention events: the sweep will not act on them. Only pending events can be cancelled.",
            len(ids),
        ) % {"n": len(ids)}
        return _form_page(self, request, title=_("Cancel retention events"), intro=intro, form=form, ids=ids,
                          action_name="cancel", submit=_("Cancel them"))


class RetentionEventInline(DisplayOnlyInline):
    model = RetentionEvent
    fk_name = "subject"
    fields = ("rule", "occurred_on", "due_on", "status", "outcome", "recorded_at")
    readonly_fields = fields
    verbose_name_plural = _("retention events")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rule")


add_subject_inline(RetentionEventInline)
