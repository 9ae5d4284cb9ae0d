"""The audit log for the audit administrator: read-only, filterable, exportable (the export is
itself audited; viewing is not)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from jiuzhu.core.forms import Form
from jiuzhu.core.models import AuditAction, AuditResult
from jiuzhu.core.selectors.audit import AuditFilters, audit_entries, audit_object_types
from jiuzhu.core.services.exports import XLSX_CONTENT_TYPE, audit_log_export, export_filename
from jiuzhu.core.views.common import domain_errors, is_htmx, paginate, vary_on_htmx


class AuditFilterForm(Form):
    actor = forms.CharField(label=gettext_lazy("Actor (username)"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All actions")), *AuditAction.choices],
    )
    object_type = forms.ChoiceField(label=gettext_lazy("Object type"), required=False)
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        required=False,
        choices=[("", gettext_lazy("All results")), *AuditResult.choices],
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [
            ("", gettext_lazy("All object types")),
            *audit_object_types(),
        ]

    def filters(self) -> AuditFilters:
        """What was valid; a field with a bad value is not applied."""
        self.is_valid()
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            result=data.get("result") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


@login_required
@domain_errors
def audit_log(request):
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    page = paginate(request, audit_entries(actor=request.user, filters=filters))
    export_query = request.GET.copy()
    export_query.pop("page", None)
    context = {"form": form, "page_obj": page, "export_query": export_query.urlencode()}
    template = "core/audit/_results.html" if is_htmx(request) else "core/audit/list.html"
    return vary_on_htmx(render(request, template, context))


@login_required
@domain_errors
def audit_export(request):
    filters = AuditFilterForm(request.GET).filters()
    output, _count = audit_log_export(actor=request.user, filters=filters)
    response = FileResponse(
        output,
        as_attachment=True,
        filename=export_filename("audit-log"),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response
