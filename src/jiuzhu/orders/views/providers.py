"""The provider directory (everyone signed in) and, for district managers and city
administrators, registering and editing providers."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jiuzhu.catalog.forms import local_name
from jiuzhu.core.errors import DomainError, NotFound, PermissionDenied
from jiuzhu.core.models import Area, AreaLevel, Role
from jiuzhu.core.selectors.areas import areas_within
from jiuzhu.core.views.common import add_domain_errors, domain_errors, paginate
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export
from jiuzhu.orders.forms import ProviderFilterForm, ProviderForm
from jiuzhu.orders.models import Provider
from jiuzhu.orders.policy import can_edit_providers, require_provider_editor
from jiuzhu.orders.scopes import provider_of
from jiuzhu.orders.selectors.orders import provider_get_for, provider_list
from jiuzhu.orders.selectors.provider_facts import accepted_on, rating_summary
from jiuzhu.orders.services.providers import provider_create, provider_update

PER_PAGE = 25
RATING_DAYS = 90


def _served_streets():
    return Area.objects.filter(level=AreaLevel.STREET, providers_by_street__isnull=False)


@login_required
def provider_list_view(request: HttpRequest) -> HttpResponse:
    streets = _served_streets().distinct().order_by("code")
    form = ProviderFilterForm(request.GET, streets=streets)
    values = form.values()
    active = {"1": True, "0": False}.get(values.get("active") or "")
    providers = provider_list(
        user=request.user,
        q=values.get("q") or "",
        active=active,
        supply_type=values.get("supply_type") or "",
        street=values.get("street") or None,
    )
    providers = providers.prefetch_related("streets").annotate(item_count=Count("items"))
    if wants_export(request):
        return export_list(request, providers, PROVIDERS_EXPORT)
    return render(
        request,
        "orders/provider_list.html",
        {
            "form": form,
            "page_obj": paginate(request, providers, per_page=PER_PAGE),
            "can_edit": can_edit_providers(request.user),
        },
    )


def _items_by_category(provider: Provider) -> list[dict]:
    groups: dict[int, dict] = {}
    for item in provider.items.select_related("category__level").order_by(
        "category__level__position", "category__position", "position", "code"
    ):
        group = groups.setdefault(
            item.category_id, {"category": local_name(item.category), "items": []}
        )
        group["items"].append(item)
    return list(groups.values())


@login_required
@domain_errors
def provider_detail(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = provider_get_for(user=request.user, provider_id=provider_id)
    user = request.user
    since = timezone.now() - dt.timedelta(days=RATING_DAYS)
    summary = rating_summary(provider, since=since)
    ratings = {"average": summary.average, "count": summary.count}
    own = provider_of(user)
    show_staff = can_edit_providers(user) or (own is not None and own.pk == provider.pk)
    staff = (
        provider.organisation.staff.filter(role=Role.PROVIDER_STAFF).order_by(
            "-is_active", "display_name", "username"
        )
        if show_staff
        else None
    )
    today = timezone.localdate()
    return render(
        request,
        "orders/provider_detail.html",
        {
            "provider": provider,
            "streets": provider.streets.order_by("code"),
            "communities": provider.communities.select_related("parent").order_by("code"),
            "item_groups": _items_by_category(provider),
            "ratings": ratings,
            "rating_days": RATING_DAYS,
            "staff": staff,
            "accepted_today": accepted_on(provider, today),
            "can_edit": _may_edit(request, provider),
        },
    )


def _may_edit(request: HttpRequest, provider: Provider) -> bool:
    return (
        can_edit_providers(request.user)
        and areas_within(request.user).filter(pk=provider.base_id).exists()
    )


def _save_errors(form: ProviderForm, error: Exception) -> None:
    """A service refusal or a model check, shown on the form."""
    if isinstance(error, ValidationError):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        add_domain_errors(form, error)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def provider_create_view(request: HttpRequest) -> HttpResponse:
    require_provider_editor(request.user)
    form = ProviderForm(
        request.POST if request.method == "POST" else None, areas=areas_within(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            provider = provider_create(actor=request.user, **data)
        except (NotFound, PermissionDenied):
            raise
        except (DomainError, ValidationError) as error:
            _save_errors(form, error)
        else:
            messages.success(request, _("The provider has been registered."))
            return redirect("orders:provider_detail", provider_id=provider.pk)
    return render(request, "orders/provider_form.html", {"form": form, "provider": None})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    require_provider_editor(request.user)
    provider = provider_get_for(user=request.user, provider_id=provider_id)
    if not _may_edit(request, provider):
        raise PermissionDenied(_("This provider is based outside your area."))
    initial = {
        "name": provider.organisation.name,
        "supply_type": provider.supply_type,
        "base": provider.base_id,
        "streets": [str(pk) for pk in provider.streets.values_list("pk", flat=True)],
        "communities": [str(pk) for pk in provider.communities.values_list("pk", flat=True)],
        "items": [str(pk) for pk in provider.items.values_list("pk", flat=True)],
        "daily_capacity": provider.daily_capacity,
        "staff_count": provider.staff_count,
        "social_workers": provider.social_workers,
        "signature_projects": provider.signature_projects,
        "contact_name": provider.contact_name,
        "contact_phone": provider.contact_phone,
        "active": provider.active,
    }
    form = ProviderForm(
        request.POST if request.method == "POST" else None,
        areas=areas_within(request.user),
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            provider_update(actor=request.user, provider=provider, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except (DomainError, ValidationError) as error:
            _save_errors(form, error)
        else:
            messages.success(request, _("The provider has been updated."))
            return redirect("orders:provider_detail", provider_id=provider.pk)
    return render(request, "orders/provider_form.html", {"form": form, "provider": provider})


PROVIDERS_EXPORT = ListExport(
    key="orders.providers",
    title=gettext_lazy("Providers"),
    object_type="orders.provider",
    columns=(
        col(gettext_lazy("Name"), "organisation.name", 28),
        col(gettext_lazy("unified social credit code"), "uscc", 20),
        col(gettext_lazy("supply type"), "get_supply_type_display"),
        col(gettext_lazy("base community"), "base.name"),
        col(
            gettext_lazy("service streets"),
            lambda p: "、".join(s.name for s in p.streets.all()),
            24,
        ),
        col(gettext_lazy("items offered"), "item_count", 10),
        col(gettext_lazy("orders per day"), "daily_capacity", 10),
        col(gettext_lazy("active"), "active", 8),
    ),
)
