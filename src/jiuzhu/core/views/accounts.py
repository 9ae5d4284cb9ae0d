"""Account management pages for the security administrator."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError
from jiuzhu.core.forms import Form
from jiuzhu.core.models import Area, AreaLevel, Organisation
from jiuzhu.core.services import accounts as account_services
from jiuzhu.core.views.common import add_domain_errors, domain_errors, paginate
from jiuzhu.core.views.list_export import ListExport, col, export_list, wants_export

_INDENT = {
    AreaLevel.CITY: "",
    AreaLevel.DISTRICT: "· ",
    AreaLevel.STREET: "· · ",
    AreaLevel.COMMUNITY: "· · · ",
}


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{_INDENT.get(obj.level, '')}{obj.name} ({obj.get_level_display()})"


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class PasswordPairForm(forms.Form):
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "At least 10 characters with letters, digits and a symbol; not a common password."
        ),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and (data["password1"] != data["password2"])
        ):
            self.add_error("password2", _("The two passwords differ."))
        return data


class AccountCreateForm(PasswordPairForm):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[("", "—"), *[(r.value, r.label) for r in account_services.STAFF_ROLES]],
    )
    area = AreaChoiceField(
        label=gettext_lazy("Area"),
        queryset=Area.objects.order_by("code"),
        required=False,
        help_text=gettext_lazy("For community, street, district and city staff."),
    )
    organisation = OrganisationChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.order_by("kind", "name"),
        required=False,
        help_text=gettext_lazy("For assessors, provider staff and partner departments."),
    )
    mobile = forms.CharField(label=gettext_lazy("Mobile number"), max_length=11, required=False)

    field_order = [
        "username",
        "display_name",
        "role",
        "area",
        "organisation",
        "mobile",
        "password1",
        "password2",
    ]


class AccountFilterForm(Form):
    q = forms.CharField(label=gettext_lazy("Search"), max_length=64, required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        required=False,
        choices=[
            ("", gettext_lazy("All roles")),
            *[(r.value, r.label) for r in account_services.STAFF_ROLES],
        ],
    )


@login_required
@domain_errors
def account_list(request):
    form = AccountFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    accounts = account_services.account_list(
        actor=request.user, q=data.get("q") or "", role=data.get("role") or ""
    )
    if wants_export(request):
        return export_list(request, accounts, ACCOUNTS_EXPORT)
    page = paginate(request, accounts)
    locked = account_services.locked_usernames(a.username for a in page.object_list)
    return render(
        request,
        "core/accounts/list.html",
        {"form": form, "page_obj": page, "locked": locked},
    )


@login_required
@domain_errors
@sensitive_post_parameters("password1", "password2")
def account_create(request):
    account_services.account_list(actor=request.user)  # refuses other roles before the form
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password1")
        data.pop("password2")
        try:
            account = account_services.account_create(actor=request.user, password=password, **data)
        except DomainError as error:
            add_domain_errors(form, error, renames={"password": "password1"})
        else:
            if account_services.awaits_approval(account):
                messages.info(
                    request,
                    _(
                        "Account %(username)s created. It sees case data, so it becomes active "
                        "once a second security administrator approves it."
                    )
                    % {"username": account.username},
                )
            else:
                messages.success(
                    request, _("Account %(username)s created.") % {"username": account.username}
                )
            return redirect("core:account_detail", user_id=account.pk)
    return render(request, "core/accounts/create.html", {"form": form})


@login_required
@domain_errors
@sensitive_post_parameters("password1", "password2")
def account_detail(request, user_id: int):
    """One account, with its actions; the password form posts here."""
    account = account_services.account_get(actor=request.user, user_id=user_id)
    form = PasswordPairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.account_reset_password(
                actor=request.user, account=account, password=form.cleaned_data["password1"]
            )
        except DomainError as error:
            add_domain_errors(form, error, renames={"password": "password1"})
        else:
            messages.success(request, _("The password has been reset."))
            return redirect("core:account_detail", user_id=account.pk)
    return render(
        request,
        "core/accounts/detail.html",
        {
            "account": account,
            "form": form,
            "locked": account.username in account_services.locked_usernames([account.username]),
            "is_self": account.pk == request.user.pk,
            "awaits_approval": account_services.awaits_approval(account),
        },
    )


@login_required
@require_POST
@domain_errors
def account_set_active(request, user_id: int):
    account = account_services.account_get(actor=request.user, user_id=user_id)
    active = request.POST.get("active") == "1"
    try:
        account_services.account_set_active(actor=request.user, account=account, active=active)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        if account_services.awaits_approval(account):
            messages.info(
                request, _("The reactivation waits for a second security administrator's approval.")
            )
        else:
            messages.success(
                request,
                _("The account has been reactivated.")
                if active
                else _("The account has been deactivated."),
            )
    return redirect("core:account_detail", user_id=account.pk)


@login_required
@require_POST
@domain_errors
def account_approve(request, user_id: int):
    """A second security administrator approves an account that sees case data."""
    account = account_services.account_get(actor=request.user, user_id=user_id)
    try:
        account_services.account_approve(actor=request.user, account=account)
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("The account has been approved and is active."))
    return redirect("core:account_detail", user_id=account.pk)


@login_required
@require_POST
@domain_errors
def account_unlock(request, user_id: int):
    account = account_services.account_get(actor=request.user, user_id=user_id)
    account_services.account_unlock(actor=request.user, account=account)
    messages.success(request, _("The account has been unlocked."))
    return redirect("core:account_detail", user_id=account.pk)


ACCOUNTS_EXPORT = ListExport(
    key="core.accounts",
    title=gettext_lazy("Accounts"),
    object_type="core.user",
    columns=(
        col(gettext_lazy("Username"), "username", 18),
        col(gettext_lazy("Name"), "display_name", 18),
        col(gettext_lazy("Role"), "get_role_display", 18),
        col(gettext_lazy("Last sign-in"), "last_login", 18),
        col(gettext_lazy("active"), "is_active", 8),
    ),
)
