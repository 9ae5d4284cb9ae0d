"""The monthly district report: its page (the A4 print view with a district and month
chooser), the PDF and the Excel workbook. The figures are the selector's; the downloads are
audited exports."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jiuzhu.core.pdf import pdf_download
from jiuzhu.core.services.exports import export_audited
from jiuzhu.core.views.common import domain_errors, xlsx_response
from jiuzhu.evaluation.documents import monthly_document, monthly_sheet
from jiuzhu.evaluation.policy import require_monthly_report_reader
from jiuzhu.evaluation.selectors.monthly import (
    MonthlyReport,
    monthly_report,
    report_district_get_for,
    report_districts,
)


class MonthlyReportForm(forms.Form):
    district = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("District"), empty_label=None
    )
    month = forms.RegexField(
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        label=gettext_lazy("Month"),
        error_messages={"invalid": gettext_lazy("Give the month as YYYY-MM, e.g. 2026-11.")},
        # Plain text, not type=month: the browser's own month picker speaks the OS's language.
        widget=forms.TextInput(attrs={"placeholder": "2026-11", "size": 8, "maxlength": 7}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = report_districts(user=user)
        self.fields["district"].error_messages["invalid_choice"] = _(
            "Choose one of your districts."
        )


def _last_month() -> str:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def _report(request: HttpRequest) -> tuple[MonthlyReportForm, MonthlyReport | None]:
    require_monthly_report_reader(request.user)
    data = request.GET.copy()
    data.setdefault("month", _last_month())
    form = MonthlyReportForm(data, user=request.user)
    if not form.is_valid():
        return form, None
    district = form.cleaned_data["district"]
    district = report_district_get_for(
        user=request.user, district_id=district.pk if district else None
    )
    month = dt.date.fromisoformat(f"{form.cleaned_data['month'] or _last_month()}-01")
    return form, monthly_report(user=request.user, district=district, month=month)


def _invalid(request: HttpRequest, form: MonthlyReportForm) -> HttpResponse:
    return render(
        request,
        "core/document_print.html",
        {"form": form, "document": None, "back_url": reverse("core:home")},
        status=422,
    )


@login_required
@require_GET
@domain_errors
def monthly_report_view(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        return _invalid(request, form)
    query = f"?district={report.district.pk}&month={report.month_text}"
    return render(
        request,
        "core/document_print.html",
        {
            "form": form,
            "document": monthly_document(report=report),
            "pdf_url": reverse("evaluation:monthly_report_pdf") + query,
            "xlsx_url": reverse("evaluation:monthly_report_xlsx") + query,
            "back_url": reverse("core:home"),
        },
    )


@login_required
@require_GET
@domain_errors
def monthly_report_pdf(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        return _invalid(request, form)
    return pdf_download(
        request,
        monthly_document(report=report),
        obj=report.district,
        detail={"document": "monthly", "month": report.month_text},
    )


@login_required
@require_GET
@domain_errors
def monthly_report_xlsx(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        return _invalid(request, form)
    output = export_audited(
        actor=request.user,
        sheets=[monthly_sheet(report=report)],
        object_type="evaluation.monthly_report",
        detail={"district": report.district.code, "month": report.month_text},
    )
    return xlsx_response(output, stem=f"monthly-{report.district.code}-{report.month_text}")
