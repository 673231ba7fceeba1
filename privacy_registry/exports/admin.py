"""Exporting the Art. 30 record from the admin: an action on the organisation list (format and template picked
beside the action menu) and an export page reached from an organisation's own page.

Both need only the view permission, so an auditor can take the record away; both only read. One organisation
gives one file; several give a ZIP with one file each.
"""
from __future__ import annotations

import io
import zipfile

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors
from . import DEFAULT_FORMAT, DEFAULT_TEMPLATE, FORMATS, ExportFile, export_record
from .templates import TEMPLATES


def _format_choices():
    return [(f.key, f.label) for f in FORMATS.values()]


def _template_choices():
    return [(t.key, t.name) for t in TEMPLATES.values()]


class RopaExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=_format_choices, initial=DEFAULT_FORMAT)
    template = forms.ChoiceField(label=_("Template"), choices=_template_choices, initial=DEFAULT_TEMPLATE)
    language = forms.ChoiceField(
        label=_("Language"), choices=lambda: list(settings.EXPORT_LANGUAGES), required=False,
        help_text=_("Of the whole record: headers, labels and the register's own texts where they are translated. "
                    "The CNIL template is in French."),
    )
    include_retired = forms.BooleanField(label=_("Include retired activities"), required=False)


class RopaExportActionForm(helpers.ActionForm):
    """The changelist's action bar, with the export's format and template beside the action menu."""

    export_format = forms.ChoiceField(
        label=_("Export format:"), choices=_format_choices, initial=DEFAULT_FORMAT, required=False,
    )
    export_template = forms.ChoiceField(
        label=_("Record template:"), choices=_template_choices, initial=DEFAULT_TEMPLATE, required=False,
    )


def file_response(exported: ExportFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def export_response(
    organisations, *, fmt: str, template: str, language: str | None = None, include_retired: bool = False
) -> HttpResponse:
    files = [
        export_record(organisation=o, fmt=fmt, template=template, language=language, include_retired=include_retired)
        for o in organisations
    ]
    if len(files) == 1:
        return file_response(files[0])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for exported in files:
            archive.writestr(exported.filename, exported.content)
    name = f"ropa-{template}-{timezone.localdate().isoformat()}.zip"
    return file_response(ExportFile(filename=name, content_type="application/zip", content=buffer.getvalue()))


class RopaExportAdminMixin:
    """For OrganisationAdmin: the export action, its action-bar fields, and the per-organisation export page.

    An admin that sets its own `actions` must list "export_ropa" among them."""

    action_form = RopaExportActionForm
    actions = ["export_ropa"]

    @admin.action(description=_("Export the Art. 30 record"), permissions=["view"])
    def export_ropa(self, request: HttpRequest, queryset):
        fmt = request.POST.get("export_format") or DEFAULT_FORMAT
        template = request.POST.get("export_template") or DEFAULT_TEMPLATE
        if fmt not in FORMATS or template not in TEMPLATES:
            self.message_user(request, _("Choose a known export format and template."), messages.ERROR)
            return None
        organisations = selectors.organisations_for_record().filter(pk__in=queryset.values("pk"))
        return export_response(organisations, fmt=fmt, template=template, language=request.LANGUAGE_CODE)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                "<path:object_id>/export-ropa/", self.admin_site.admin_view(self.export_ropa_view),
                name="{}_{}_export_ropa".format(*info),
            ),
        ]
        return urls + super().get_urls()

    def export_ropa_view(self, request: HttpRequest, object_id: str):
        organisation = self.get_object(request, unquote(object_id))
        if organisation is None:
            raise Http404
        if not self.has_view_permission(request, organisation):
            raise PermissionDenied
        form = RopaExportForm(request.GET or None, initial={"language": request.LANGUAGE_CODE})
        if form.is_valid():
            organisations = selectors.organisations_for_record().filter(pk=organisation.pk)
            return export_response(
                organisations, fmt=form.cleaned_data["format"], template=form.cleaned_data["template"],
                language=form.cleaned_data["language"] or request.LANGUAGE_CODE,
                include_retired=form.cleaned_data["include_retired"],
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export the Art. 30 record of %(name)s") % {"name": organisation.name},
            "opts": self.opts,
            "original": organisation,
            "form": form,
            "templates": TEMPLATES.values(),
        }
        return TemplateResponse(request, "admin/privacy_registry/organisation/export_ropa.html", context)
