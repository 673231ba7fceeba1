"""Rights requests in the admin: a view over ``rights.services``, which does every write.

- The list is ordered by the (extended) due date, with the days left and overdue requests flagged; filters by
  right, status, organisation and deadline.
- Actions: verify (identity checked by staff), extend (once, one or two months, reason), pause and resume the
  clock, approve and carry out, refuse (ground required), complete, and a CSV of the selected requests for
  audit. Approving and refusing need ``rights.decide_rightsrequest`` (the DPO); the others need change rights
  (DPO, Compliance); the Auditor reads and exports only.
- Adding a request is logging one that came by e-mail, post or phone (``request_log``). On a request's page
  staff match it to a data subject and, for an objection, name the processing objected to; everything held on
  the matched subject and the request's timeline are shown there.
- Requests are records of the organisation's compliance: nobody deletes them here; they are minimised on a
  schedule.
"""
from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from privacy_registry import csvsafe
from privacy_registry.admin_history import REASON_MAX_LENGTH, GuardedHistoryAdmin
from retention.admin import DisplayOnlyInline
from subjects.admin import add_subject_inline
from subjects.masking import mask_email, mask_name
from subjects.models import DataSubject
from subjects.services import RESTRICT_PERMISSION

from . import exports, selectors, services
from .models import OPEN_STATUSES, ClockPause, RefusalGround, RequestEvent, RequestType, RightsRequest, Status

DECIDE_PERMISSION = "rights.decide_rightsrequest"
# A rectification changes the subject: it needs the right to change subjects as well as requests.
SUBJECT_CHANGE_PERMISSION = "subjects.change_datasubject"
DUE_SOON_DAYS = 7


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("soon", _("Due within 7 days")), ("later", _("Due later"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        open_ = queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "overdue":
            return open_.filter(deadline__lt=today)
        if self.value() == "soon":
            return open_.filter(deadline__gte=today, deadline__lte=today + timezone.timedelta(days=DUE_SOON_DAYS))
        if self.value() == "later":
            return open_.filter(deadline__gt=today + timezone.timedelta(days=DUE_SOON_DAYS))
        return queryset


class EventInline(DisplayOnlyInline):
    model = RequestEvent
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("timeline")


class PauseInline(EventInline):
    model = ClockPause
    fields = ("reason", "started_at", "ended_at", "actor")
    readonly_fields = fields
    verbose_name_plural = _("clock pauses")


class LogRequestForm(forms.ModelForm):
    """A request that came by e-mail, post or phone, logged by staff."""

    verified = forms.BooleanField(
        label=_("Identity checked"), required=False,
        help_text=_("Tick when you have confirmed who the requester is (e.g. an identity document, a call back)."),
    )
    # The guarded history admin's reason field (privacy_registry.admin_history.REASON_FIELD), declared here since
    # this form replaces the admin's own; request_log writes its own change reason, saying how the request came in.
    change_reason = forms.CharField(label=_("Reason for this change"), required=False, max_length=REASON_MAX_LENGTH)

    class Meta:
        model = RightsRequest
        fields = ("organisation", "type", "channel", "received_at", "email", "details", "language", "subject",
                  "direct_marketing")


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"), coerce=int, choices=[(1, _("one further month")), (2, _("two further months"))],
    )
    reason = forms.CharField(
        label=_("Reason (sent to the requester)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
    )


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=[c for c in RefusalGround.choices if c[0]])
    explanation = forms.CharField(
        label=_("Explanation (sent to the requester)"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        max_length=4000,
    )


class CompleteForm(forms.Form):
    response = forms.CharField(
        label=_("Response (sent to the requester)"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        max_length=4000,
    )


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why the clock stops"), choices=ClockPause.Reason.choices)


class ConfirmForm(forms.Form):
    """Nothing to enter: the intermediate page only asks to confirm (or go back)."""


@admin.register(RightsRequest)
class RightsRequestAdmin(GuardedHistoryAdmin):
    list_display = ("__str__", "organisation", "type", "channel", "status", "received_at", "deadline_shown",
                    "days_left", "overdue", "subject_link", "duplicate")
    list_filter = ("type", "status", "organisation", DeadlineFilter, "channel")
    list_select_related = ("organisation",)
    search_fields = ("=public_ref",)
    inlines = (PauseInline, EventInline)
    raw_id_fields = ("subject",)
    filter_horizontal = ("objected_activities",)
    actions = ("verify", "extend", "pause_clock", "resume_clock", "approve_and_execute", "refuse", "complete",
               "export_csv", "carry_out_again")
    readonly_fields = (
        "public_ref", "organisation", "type", "channel", "received_at", "email", "details", "language", "status",
        "verified_at", "verification_method", "due_on", "extended_due_on", "extension_months", "extension_reason",
        "refusal_ground", "outcome", "response", "direct_marketing", "handled_by", "likely_duplicate_of",
        "closed_at", "minimised_at", "rectification_step", "held_on_subject",
    )

    # --- the list -----------------------------------------------------------------------------------------------
    def get_ordering(self, request):
        # By the (extended) due date, an annotation of get_queryset (the `ordering` attribute names fields only).
        return ("deadline", "pk")

    def get_queryset(self, request):
        # Annotated before ordering: the list is ordered by the annotation (ModelAdmin orders in get_queryset).
        queryset = selectors.with_deadline(self.model._default_manager.get_queryset())
        return queryset.order_by(*(self.get_ordering(request) or ()))

    @admin.display(description=_("due"), ordering="deadline")
    def deadline_shown(self, obj: RightsRequest):
        return obj.effective_due_on

    @admin.display(description=_("days left"))
    def days_left(self, obj: RightsRequest):
        return obj.days_left() if obj.is_open else "—"

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: RightsRequest) -> bool:
        return obj.is_overdue()

    @admin.display(description=_("data subject"))
    def subject_link(self, obj: RightsRequest):
        if obj.subject_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:subjects_datasubject_change", args=[obj.subject_id]),
                           _("Subject #%(id)s") % {"id": obj.subject_id})

    @admin.display(description=_("likely duplicate of"))
    def duplicate(self, obj: RightsRequest):
        return f"#{obj.likely_duplicate_of_id}" if obj.likely_duplicate_of_id else ""

    # --- the page -----------------------------------------------------------------------------------------------
    @admin.display(description=_("everything held on the matched subject"))
    def held_on_subject(self, obj: RightsRequest):
        if obj.subject_id is None or obj.subject is None:
            return _("No data subject matched.")
        return render_to_string("admin/rights/rightsrequest/held.html", {
            "data": exports.export_data(subject=obj.subject),
            "subject_url": reverse("admin:subjects_datasubject_change", args=[obj.subject_id]),
        })

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LogRequestForm
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description=_("rectification"))
    def rectification_step(self, obj: RightsRequest):
        if obj.subject_id is None:
            return _("Match the request to a data subject first.")
        if obj.status == Status.AWAITING_APPROVAL:
            return _("Awaits the DPO's approval (\"Approve and carry out\").")
        if obj.status != Status.IN_PROGRESS:
            return "—"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:rights_rightsrequest_rectify", args=[obj.pk]),
                           _("Enter the corrected values…"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*LogRequestForm.Meta.fields, "verified"]
        step = ["rectification_step"] if obj.type == RequestType.RECTIFICATION else []
        return [*self.readonly_fields[:-2], "subject", "objected_activities", *step, "held_on_subject"]

    # --- rectification (Art. 16) --------------------------------------------------------------------------------
    def get_urls(self):
        return [
            path("<path:object_id>/rectify/", self.admin_site.admin_view(self.rectify_view),
                 name="rights_rightsrequest_rectify"),
            *super().get_urls(),
        ]

    def rectify_view(self, request: HttpRequest, object_id: str):
        """Staff enter the corrected values of the matched subject's personal data; the service applies them, the
        timeline names the fields corrected, and the request completes. Invalid input: the form again, nothing
        written."""
        rights_request = self.get_object(request, object_id)
        if rights_request is None:
            raise Http404
        if not (self.has_change_permission(request, rights_request)
                and request.user.has_perm(SUBJECT_CHANGE_PERMISSION)):
            raise PermissionDenied
        page = reverse("admin:rights_rightsrequest_change", args=[rights_request.pk])
        # In progress: approved by the DPO (services.request_rectify refuses any other status, whoever calls it).
        ready = (rights_request.type == RequestType.RECTIFICATION and rights_request.subject is not None
                 and rights_request.status == Status.IN_PROGRESS)
        if not ready:
            self.message_user(request, _(
                "%(request)s cannot be rectified: it must be a rectification request matched to a data subject and "
                "approved by the DPO (in progress)."
            ) % {"request": rights_request}, messages.ERROR)
            return HttpResponseRedirect(page)
        form_class = forms.modelform_factory(DataSubject, fields=selectors.rectifiable_fields())
        # The form's own copy of the subject: validating a form writes the values onto its instance.
        stored = DataSubject.objects.get(pk=rights_request.subject_id)
        form = form_class(request.POST or None, instance=DataSubject.objects.get(pk=rights_request.subject_id))
        if request.method == "POST" and form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if not changes:
                form.add_error(None, _("Nothing to correct: change at least one value."))
            else:
                try:
                    services.request_rectify(request=rights_request, changes=changes, actor=request.user)
                except ValidationError as exc:
                    by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
                    for name, errors in by_field.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    self.message_user(request, ngettext_lazy(
                        "%(request)s: %(n)d field corrected, and the request is completed.",
                        "%(request)s: %(n)d fields corrected, and the request is completed.", "n",
                    ) % {"request": rights_request, "n": len(changes)}, messages.SUCCESS)
                    return HttpResponseRedirect(page)
        return TemplateResponse(request, "admin/rights/rightsrequest/rectify.html", {
            **self.admin_site.each_context(request),
            "title": _("Rectify: enter the corrected values"), "opts": self.model._meta, "form": form,
            "rights_request": rights_request, "subject": stored,
        })

    def get_inlines(self, request, obj=None):
        return () if obj is None else self.inlines

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm(DECIDE_PERMISSION)

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            created = services.request_log(
                organisation=data["organisation"], type=data["type"], channel=data["channel"], actor=request.user,
                email=data.get("email") or "", details=data.get("details") or "", language=data.get("language") or "",
                received_at=data.get("received_at"), subject=data.get("subject"), verified=data.get("verified", False),
                direct_marketing=data.get("direct_marketing", False),
            )
            obj.pk = created.pk
            obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})
            return
        if "subject" in form.changed_data and obj.subject is not None:
            services.request_match(request=obj, subject=obj.subject, actor=request.user)

    def save_related(self, request, form, formsets, change):
        if change and "objected_activities" in form.changed_data:
            services.request_objection_scope(
                request=form.instance, activities=list(form.cleaned_data["objected_activities"]), actor=request.user,
            )
        # The inlines are read-only, so this writes nothing; the admin's change message reads what it sets
        # (new_objects, changed_objects), and without it every save of the change form failed.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # --- actions ------------------------------------------------------------------------------------------------
    def _each(self, request, queryset, work, done_message, refused_message=None) -> None:
        """Run ``work`` on each selected request; report how many were done and, with ``refused_message``, how
        many the service refused, then each refusal with its reason."""
        done, errors = 0, []
        for rights_request in queryset.order_by("pk"):
            try:
                work(rights_request)
            except ValidationError as exc:
                errors.append(f"{rights_request}: {' '.join(exc.messages)}")
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)
        if errors and refused_message is not None:
            self.message_user(request, refused_message % {"n": len(errors)}, messages.ERROR)
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    def _form_page(self, request, queryset, form, *, title: str, action: str, button: str, intro: str = "",
                   note=None):
        """The shared intermediate page (templates/admin/intermediate_action.html): the selected requests, each with
        the requester's address and the matched subject's name masked (enough to recognise, not to copy), what the
        action will do (``intro``, and ``note(request)`` per row), the form, confirm or go back."""
        selected = list(queryset.select_related("subject").order_by("pk"))
        rows = [{
            "request": r, "email": mask_email(r.email),
            "name": mask_name(r.subject.full_name) if r.subject is not None else "",
            "note": note(r) if note else "",
        } for r in selected]
        return TemplateResponse(request, "admin/rights/rightsrequest/action_form.html", {
            **self.admin_site.each_context(request),
            "title": title, "opts": self.model._meta, "form": form, "requests": selected, "rows": rows,
            "intro": intro, "action_name": action, "button": button,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description=_("Verify: identity checked by staff"), permissions=["change"])
    def verify(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, lambda r: services.request_verify_by_staff(request=r, actor=request.user),
                   ngettext_lazy(
                "%(n)d request verified.",
                "%(n)d requests verified.", "n"))

    @admin.action(description=_("Extend the deadline (once, with the reason)…"), permissions=["change"])
    def extend(self, request: HttpRequest, queryset):
        form = ExtendForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            self._each(request, queryset, lambda r: services.request_extend(
                request=r, months=data["months"], reason=data["reason"], actor=request.user,
            ), ngettext_lazy(
                "%(n)d request extended; the requesters are told why.",
                "%(n)d requests extended; the requesters are told why.", "n"))
            return None
        return self._form_page(request, queryset, form, title=_("Extend the deadline"), action="extend",
                               button=_("Extend"))

    @admin.action(description=_("Pause the clock…"), permissions=["change"])
    def pause_clock(self, request: HttpRequest, queryset):
        form = PauseForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._each(request, queryset, lambda r: services.request_pause(
                request=r, reason=form.cleaned_data["reason"], actor=request.user,
            ), ngettext_lazy(
                "Clock paused on %(n)d request.",
                "Clock paused on %(n)d requests.", "n"))
            return None
        return self._form_page(request, queryset, form, title=_("Pause the clock"), action="pause_clock",
                               button=_("Pause"))

    @admin.action(description=_("Resume the clock"), permissions=["change"])
    def resume_clock(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, lambda r: services.request_resume(request=r, actor=request.user),
                   ngettext_lazy(
                "Clock resumed on %(n)d request.",
                "Clock resumed on %(n)d requests.", "n"))

    @admin.action(description=_("Approve and carry out…"), permissions=["decide"])
    def approve_and_execute(self, request: HttpRequest, queryset):
        form = ConfirmForm(request.POST if request.POST.get("post") == "yes" else None)
        if not (form.is_bound and form.is_valid()):
            return self._form_page(
                request, queryset, form, title=_("Approve and carry out"), action="approve_and_execute",
                button=_("Yes, approve and carry them out"), note=_approval_note, intro=_(
                    "Each selected request will be approved and carried out now, by its right: an erasure erases the "
                    "person's data everywhere, history included, and cannot be undone; a restriction restricts "
                    "processing of their data; an objection stops the processing objected to; access and "
                    "portability exports are built and e-mailed. Each requester is told."
                ))

        def work(rights_request: RightsRequest) -> None:
            # Carrying out a restriction restricts the person: it asks the same permission as the subject page.
            if rights_request.type == RequestType.RESTRICTION and not request.user.has_perm(RESTRICT_PERMISSION):
                raise ValidationError(_("Carrying out a restriction needs the permission to restrict processing."),
                                      code="restrict_permission")
            services.request_approve_and_execute(request=rights_request, actor=request.user)

        self._each(request, queryset, work,
                   ngettext_lazy(
                "%(n)d request approved and carried out (exports follow by e-mail).",
                "%(n)d requests approved and carried out (exports follow by e-mail).", "n"))

    @admin.action(description=_("Refuse (with the ground)…"), permissions=["decide"])
    def refuse(self, request: HttpRequest, queryset):
        form = RefuseForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            self._each(request, queryset, lambda r: services.request_refuse(
                request=r, ground=data["ground"], explanation=data["explanation"], actor=request.user,
            ), ngettext_lazy(
                "%(n)d request refused; the requesters are told the ground and their right to complain.",
                "%(n)d requests refused; the requesters are told the ground and their right to complain.", "n"))
            return None
        return self._form_page(request, queryset, form, title=_("Refuse"), action="refuse", button=_("Refuse"), intro=_(
            "Each selected request will be refused and closed; each requester is e-mailed the ground and their right "
            "to complain to a supervisory authority."
        ))

    @admin.action(description=_("Complete…"), permissions=["change"])
    def complete(self, request: HttpRequest, queryset):
        form = CompleteForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._each(request, queryset, lambda r: services.request_complete(
                request=r, response=form.cleaned_data["response"], actor=request.user,
            ), ngettext_lazy(
                "%(n)d request completed.",
                "%(n)d requests completed.", "n"),
                ngettext_lazy(
                "%(n)d request was not completed, and its requester was told nothing:",
                "%(n)d requests were not completed, and their requesters were told nothing:", "n"))
            return None
        return self._form_page(
            request, queryset, form, title=_("Complete"), action="complete", button=_("Complete"), note=_complete_note,
            intro=_(
                "Each selected request will be closed as done, and each requester is e-mailed that it is completed."
            ),
        )

    @admin.action(description=_("Download CSV for audit"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        buffer = io.StringIO()
        writer = csvsafe.writer(buffer, lineterminator="\r\n")
        writer.writerow(AUDIT_COLUMNS)
        for r in queryset.select_related("organisation", "handled_by").order_by("pk"):
            writer.writerow([
                r.pk, str(r.public_ref), r.organisation.name, r.type, r.channel, r.status, _iso(r.received_at),
                _iso(r.verified_at), r.verification_method, _iso(r.due_on), _iso(r.extended_due_on),
                r.refusal_ground, r.outcome, _iso(r.closed_at), r.handled_by.get_username() if r.handled_by else "",
                r.likely_duplicate_of_id or "", r.subject_id or "", "yes" if r.is_overdue() else "no",
            ])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="rights-requests.csv"'
        return response

    @admin.action(description=_("Carry out again (execution interrupted)"), permissions=["decide"])
    def carry_out_again(self, request: HttpRequest, queryset):
        """Requests stuck in progress (a killed worker or web process, a lost export task) are taken again: what was
        done is recognised, the rest is done, and each closes (an export is queued again). It asks first, as
        "Approve and carry out" does: an erasure taken again erases."""
        form = ConfirmForm(request.POST if request.POST.get("post") == "yes" else None)
        if not (form.is_bound and form.is_valid()):
            return self._form_page(
                request, queryset, form, title=_("Carry out again"), action="carry_out_again",
                button=_("Yes, carry them out again"), note=_approval_note, intro=_(
                    "The execution of each selected request was interrupted: it will be carried out again now, by "
                    "its right (an erasure erases the person's data everywhere, history included, and cannot be "
                    "undone). What was done already is recognised, not done twice. Each requester is told."
                ))
        completed, queued, errors = 0, 0, []
        for rights_request in queryset.order_by("pk"):
            try:
                # As for "Approve and carry out": a restriction needs the permission to restrict processing.
                if (rights_request.type == RequestType.RESTRICTION
                        and not request.user.has_perm(RESTRICT_PERMISSION)):
                    raise ValidationError(_("Carrying out a restriction needs the permission to restrict processing."),
                                          code="restrict_permission")
                done = services.request_execution_retry(request=rights_request, actor=request.user)
            except ValidationError as exc:
                errors.append(f"{rights_request}: {' '.join(exc.messages)}")
            else:
                if done.status == Status.COMPLETED:
                    completed += 1
                else:
                    queued += 1
        if completed:
            self.message_user(request, ngettext_lazy(
                "%(n)d interrupted request carried out again and completed.",
                "%(n)d interrupted requests carried out again and completed.", "n",
            ) % {"n": completed}, messages.SUCCESS)
        if queued:
            self.message_user(request, ngettext_lazy(
                "%(n)d interrupted request taken again: its export is queued and follows by e-mail.",
                "%(n)d interrupted requests taken again: their exports are queued and follow by e-mail.", "n",
            ) % {"n": queued}, messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.ERROR)


# Codes and dates only: no addresses, no requesters' words.
AUDIT_COLUMNS = [
    "id", "reference", "organisation", "type", "channel", "status", "received_at", "verified_at",
    "verification_method", "due_on", "extended_due_on", "refusal_ground", "outcome", "closed_at", "handled_by",
    "likely_duplicate_of", "subject_id", "overdue",
]


def _approval_note(rights_request: RightsRequest) -> str:
    # In progress too: an interrupted execution is taken again (services.request_execute says when it is not).
    if rights_request.status not in (Status.VERIFIED, Status.AWAITING_APPROVAL, Status.IN_PROGRESS):
        return _("not awaiting approval: will be left as it is")
    if rights_request.type == RequestType.ERASURE:
        return _("will be erased: this cannot be undone") if rights_request.subject_id else _(
            "no data subject matched: closed as nothing held")
    if rights_request.type == RequestType.RESTRICTION:
        return _("processing will be restricted") if rights_request.subject_id else _(
            "no data subject matched: closed as nothing held")
    return ""


def _complete_note(rights_request: RightsRequest) -> str:
    if rights_request.status == Status.AWAITING_APPROVAL:
        return _("awaits the DPO's approval: will not be completed")
    if rights_request.status != Status.IN_PROGRESS:
        return _("not being carried out: will not be completed")
    return ""


def _iso(value) -> str:
    return value.isoformat() if value is not None else ""


class SubjectRequestInline(DisplayOnlyInline):
    """The subject page lists the person's requests."""

    model = RightsRequest
    fk_name = "subject"
    fields = ("type", "status", "received_at", "due_on", "closed_at")
    readonly_fields = fields
    verbose_name_plural = _("rights requests")


add_subject_inline(SubjectRequestInline)
