"""Indicator frameworks: every staff role reads them; city administrators start drafts (from a
version or a file), edit them, compare them with the published version and publish them."""

from __future__ import annotations

import functools
import json

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiuzhu.assessment import engine
from jiuzhu.assessment.forms import FrameworkImportForm, FrameworkSettingsForm, IndicatorForm
from jiuzhu.assessment.frameworks import framework_as_dict
from jiuzhu.assessment.models import FrameworkStatus, Indicator, IndicatorFramework
from jiuzhu.assessment.policy import can_edit_frameworks, require_framework_editor
from jiuzhu.assessment.selectors.frameworks import (
    framework_dimensions,
    framework_get_for,
    framework_list_for,
)
from jiuzhu.assessment.services import rescore as rescore_service
from jiuzhu.assessment.services.frameworks import (
    framework_clone,
    framework_import,
    framework_problems,
    framework_publish,
    framework_update,
    indicator_delete,
    indicator_save,
    published_framework,
)
from jiuzhu.assessment.views.common import (
    effective_weights,
    fraction_text,
    localized,
    need_groups,
    need_label,
)
from jiuzhu.catalog.selectors import need_categories
from jiuzhu.core.errors import DomainError, NotFound
from jiuzhu.core.scoping import require_granted
from jiuzhu.core.views.common import add_domain_errors, domain_errors
from jiuzhu.registry.models import UrgencyTag

SETTINGS_FIELDS = ("name", "poverty_cutoff", "urgent_at", "safety_net_at", "care_at", "notes")


def _bound(request: HttpRequest, *, files: bool = False) -> tuple:
    """Form data for a POST (even an empty one, which must show errors), nothing for a GET."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _require_editor(request: HttpRequest) -> None:
    require_framework_editor(request.user)


def _draft_only(framework: IndicatorFramework) -> IndicatorFramework:
    """Editing pages exist for drafts only; a published version answers with its page."""
    if framework.status != FrameworkStatus.DRAFT:
        raise _NotDraft(framework)
    return framework


class _NotDraft(Exception):
    def __init__(self, framework: IndicatorFramework):
        self.framework = framework


def _not_draft(request, framework: IndicatorFramework) -> HttpResponse:
    messages.error(
        request, _("Published frameworks cannot change; start a new draft from this one.")
    )
    return redirect("assessment:framework_detail", version=framework.version)


def drafts_only(view):
    """Send an attempt to edit a published or retired version back to its page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _NotDraft as refused:
            return _not_draft(request, refused.framework)

    return wrapper


# ---------------------------------------------------------------- reading


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    require_granted(request.user, IndicatorFramework)
    return render(
        request,
        "assessment/framework_list.html",
        {
            "frameworks": framework_list_for(user=request.user),
            "can_edit": can_edit_frameworks(request.user),
        },
    )


def _weight(weights: dict, key: str) -> str:
    value = weights.get(key)
    return fraction_text(value) if value is not None else "—"


@login_required
@require_GET
@domain_errors
def framework_detail(request: HttpRequest, version: int) -> HttpResponse:
    framework = framework_get_for(user=request.user, version=version)
    weights, engine_error = effective_weights(framework)
    dimensions = []
    for dimension in framework_dimensions(framework):
        indicators = []
        for indicator in dimension.indicators.all():
            indicators.append(
                {
                    "indicator": indicator,
                    "label": localized(indicator.question, indicator.question_en),
                    "effective": _weight(weights, f"indicator:{indicator.code}"),
                    "needs": [need_label(need) for need in indicator.needs.all()],
                }
            )
        dimensions.append(
            {
                "dimension": dimension,
                "name": localized(dimension.name, dimension.name_en),
                "effective": _weight(weights, f"dimension:{dimension.code}"),
                "indicators": indicators,
            }
        )
    editor = can_edit_frameworks(request.user)
    is_draft = framework.status == FrameworkStatus.DRAFT
    context = {
        "framework": framework,
        "dimensions": dimensions,
        "thresholds": [
            (UrgencyTag.URGENT, framework.urgent_at),
            (UrgencyTag.SAFETY_NET, framework.safety_net_at),
            (UrgencyTag.CARE, framework.care_at),
        ],
        "engine_error": engine_error,
        "can_edit": editor,
        "editable": editor and is_draft,
        "problems": framework_problems(framework) if editor and is_draft else [],
        "published": published_framework(),
    }
    return render(request, "assessment/framework_detail.html", context)


@login_required
@require_GET
@domain_errors
def framework_export(request: HttpRequest, version: int) -> HttpResponse:
    framework = framework_get_for(user=request.user, version=version)
    text = yaml.safe_dump(framework_as_dict(framework), allow_unicode=True, sort_keys=False)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="framework-v{framework.version}.yaml"'
    return response


# ---------------------------------------------------------------- new drafts


@login_required
@require_POST
@domain_errors
def framework_clone_view(request: HttpRequest, version: int) -> HttpResponse:
    _require_editor(request)
    source = framework_get_for(user=request.user, version=version)
    try:
        draft = framework_clone(source=source, actor=request.user)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
        return redirect("assessment:framework_detail", version=source.version)
    messages.success(
        request,
        _("Draft v%(v)d created from v%(source)d.")
        % {"v": draft.version, "source": source.version},
    )
    return redirect("assessment:framework_detail", version=draft.version)


def _parse_upload(upload) -> dict:
    """A YAML or JSON file as data; a file that does not parse is a field error."""
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("bad_file", _("The file is not UTF-8 text.")) from None
    try:
        is_json = upload.name.lower().endswith(".json")
        data = json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise DomainError(
            "bad_file", _("The file could not be read: %(error)s") % {"error": error}
        ) from None
    if not isinstance(data, dict):
        raise DomainError("bad_file", _("The file must hold one framework (a mapping of keys)."))
    return data


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def framework_import_view(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = FrameworkImportForm(*_bound(request, files=True))
    if request.method == "POST" and form.is_valid():
        try:
            data = _parse_upload(form.cleaned_data["file"])
            draft = framework_import(data=data, actor=request.user)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Imported as draft v%(v)d.") % {"v": draft.version})
            return redirect("assessment:framework_detail", version=draft.version)
    status = 422 if form.errors else 200
    return render(request, "assessment/framework_import.html", {"form": form}, status=status)


# ---------------------------------------------------------------- editing a draft


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@drafts_only
def framework_settings(request: HttpRequest, version: int) -> HttpResponse:
    _require_editor(request)
    framework = _draft_only(framework_get_for(user=request.user, version=version))
    initial = {name: getattr(framework, name) for name in SETTINGS_FIELDS}
    form = FrameworkSettingsForm(*_bound(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            framework_update(framework=framework, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Draft settings saved."))
            return redirect("assessment:framework_detail", version=framework.version)
    return render(
        request,
        "assessment/framework_settings.html",
        {"form": form, "framework": framework},
        status=422 if form.errors else 200,
    )


def _indicator_page(request, *, framework, form, indicator, status=200) -> HttpResponse:
    checked = (
        set(form.data.getlist("needs"))
        if form.is_bound
        else set(indicator.needs.values_list("code", flat=True))
        if indicator
        else set()
    )
    return render(
        request,
        "assessment/indicator_form.html",
        {
            "form": form,
            "framework": framework,
            "indicator": indicator,
            "need_groups": need_groups(need_categories(user=request.user), checked),
        },
        status=status,
    )


def _indicator_edit(request, framework: IndicatorFramework, indicator: Indicator | None):
    initial = {}
    if indicator is not None:
        initial = {
            name: getattr(indicator, name)
            for name in (
                "code",
                "question",
                "question_en",
                "help_text",
                "data_type",
                "deprived_if",
                "weight",
                "critical",
                "prefill",
            )
        }
        initial["choices"] = "\n".join(str(c) for c in indicator.choices or [])
    else:
        dimension = request.GET.get("dimension", "")
        initial = {"data_type": "boolean", "deprived_if": "true"}
        if dimension.isdigit():
            initial["dimension"] = int(dimension)
    form = IndicatorForm(
        *_bound(request), framework=framework, indicator=indicator, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        dimension = indicator.dimension if indicator else form.cleaned_data["dimension"]
        fields = form.service_fields()
        if indicator is None:
            fields["position"] = dimension.indicators.count()
        try:
            indicator_save(
                actor=request.user,
                dimension=dimension,
                indicator=indicator,
                needs=list(form.cleaned_data["needs"]),
                **fields,
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Indicator saved."))
            return redirect("assessment:framework_detail", version=framework.version)
    return _indicator_page(
        request,
        framework=framework,
        form=form,
        indicator=indicator,
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@drafts_only
def indicator_add(request: HttpRequest, version: int) -> HttpResponse:
    _require_editor(request)
    framework = _draft_only(framework_get_for(user=request.user, version=version))
    return _indicator_edit(request, framework, None)


def _indicator_of(framework: IndicatorFramework, indicator_id: int) -> Indicator:
    indicator = (
        Indicator.objects.filter(dimension__framework=framework, pk=indicator_id)
        .select_related("dimension__framework")
        .first()
    )
    if indicator is None:
        raise NotFound("indicator")
    return indicator


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
@drafts_only
def indicator_edit(request: HttpRequest, version: int, indicator_id: int) -> HttpResponse:
    _require_editor(request)
    framework = _draft_only(framework_get_for(user=request.user, version=version))
    return _indicator_edit(request, framework, _indicator_of(framework, indicator_id))


@login_required
@require_POST
@domain_errors
@drafts_only
def indicator_delete_view(request: HttpRequest, version: int, indicator_id: int) -> HttpResponse:
    _require_editor(request)
    framework = _draft_only(framework_get_for(user=request.user, version=version))
    indicator = _indicator_of(framework, indicator_id)
    indicator_delete(actor=request.user, indicator=indicator)
    messages.success(request, _("Indicator %(code)s deleted.") % {"code": indicator.code})
    return redirect("assessment:framework_detail", version=framework.version)


# ---------------------------------------------------------------- compare and publish


def _compare_table(result: dict) -> dict:
    """The tag moves as a matrix: rows the tag now, columns the tag under the draft."""
    tags = [*UrgencyTag.values, ""]
    labels = {
        **{tag: str(UrgencyTag(tag).label) for tag in UrgencyTag.values},
        "": _("Not classified"),
    }
    moves = result["moves"]
    rows = []
    for before in tags:
        cells = [
            {"count": moves.get((before, after), 0), "same": before == after} for after in tags
        ]
        total = sum(cell["count"] for cell in cells)
        if total:
            rows.append({"tag": before, "label": labels[before], "cells": cells, "total": total})
    columns = [
        {
            "tag": tag,
            "label": labels[tag],
            "total": sum(n for (_b, a), n in moves.items() if a == tag),
        }
        for tag in tags
    ]
    changed = sum(n for (b, a), n in moves.items() if b != a)
    return {"rows": rows, "columns": columns, "changed": changed, **result}


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def framework_compare(request: HttpRequest, version: int) -> HttpResponse:
    """POST rescores every household's newest submitted assessment under this version (it can
    take seconds on large data); GET shows the stored comparison."""
    _require_editor(request)
    framework = framework_get_for(user=request.user, version=version)
    published = published_framework()
    if request.method == "POST":
        try:
            count = rescore_service.rescore(framework=framework)
        except engine.EngineError as error:  # an inconsistent draft cannot be scored
            messages.error(request, _("This draft cannot be scored: %(error)s") % {"error": error})
        else:
            messages.success(request, _("%(n)d households rescored.") % {"n": count})
        return redirect("assessment:framework_compare", version=framework.version)
    result = rescore_service.compare(draft=framework, published=published) if published else None
    return render(
        request,
        "assessment/framework_compare.html",
        {
            "framework": framework,
            "published": published,
            "table": _compare_table(result) if result and result["count"] else None,
        },
    )


@login_required
@require_POST
@domain_errors
@drafts_only
def framework_publish_view(request: HttpRequest, version: int) -> HttpResponse:
    _require_editor(request)
    framework = _draft_only(framework_get_for(user=request.user, version=version))
    try:
        framework_publish(framework=framework, actor=request.user)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        problems = error.extra.get("fields", {}).get("framework") or [error.message]
        for problem in problems:
            messages.error(request, problem)
    else:
        messages.success(
            request,
            _("v%(v)d is published. New assessments use it; earlier ones keep their version.")
            % {"v": framework.version},
        )
    return redirect("assessment:framework_detail", version=framework.version)
