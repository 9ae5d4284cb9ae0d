"""Every page and every API operation, tried by every role (and nobody signed in) on an object
inside and one outside the actor's scope, against an expectation table written by hand.

The endpoints come from the URL configuration (``get_resolver()``) and the OpenAPI document,
so a new URL name or API operation without a row in ``EXPECTED`` fails
``test_every_endpoint_has_a_row``, naming it.

The rules the table writes down (issue 8, item 6):

* Nobody signed in: a page redirects to the sign-in page ("login"); the API answers 401.
* Reading an object is scoping's business: an object the actor may see answers 200; one they may
  not see answers 404, whether it is out of their area or of a kind their role sees none of
  ("does not exist" and "not yours" answer the same; ``test_scoping_matrix`` pins this for
  households).
* Acting (a form page, a POST, a page without an object) is policy's business: a role that may
  never do it answers 403, on any object; a role that may answers its success code on an
  object in scope and 404 on one out of scope.
* POST endpoints get an empty form (pages) or the smallest body the API schema accepts, so the
  answer is the permission one (403/404) or, for an allowed role, a validation answer (422, or
  200 with the form's errors) or the action's success (302). Never a 500.

Where today's code answers otherwise, the row says what it should answer and the pair is listed
in ``KNOWN_DIVERGENCES``, which runs as ``xfail(strict=True)``: when the code is mended the test
passes unexpectedly, fails, and the entry must be deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client

from jiuzhu.core.models import Role
from sweep_cast import ACTORS, ANONYMOUS, build_world
from sweep_support import (
    PARAMETERS,
    Endpoint,
    api_operations,
    outcome,
    url_for,
    value,
    web_endpoints,
)

BEN = Role.BENEFICIARY.value
CW = Role.COMMUNITY_WORKER.value
SC = Role.STREET_CASEWORKER.value
DM = Role.DISTRICT_MANAGER.value
CA = Role.CITY_ADMIN.value
ASR = Role.ASSESSOR.value
PS = Role.PROVIDER_STAFF.value
VOL = Role.VOLUNTEER.value
HOT = Role.HOTLINE_OPERATOR.value
DEPT = Role.DEPARTMENT.value
SEC = Role.SECURITY_ADMIN.value
AUD = Role.AUDIT_ADMIN.value
ALL = frozenset(Role.values)

AREA = frozenset({CW, SC, DM, CA, HOT})  # roles that work in an area
EDITORS = frozenset({CW, SC, DM, CA})  # registry editors (registry/policy.py)
HOUSEHOLD_READERS = AREA | {ASR, BEN}  # roles granted households (registry/scopes.py)
STAFF_NO_CASES = frozenset({DEPT, SEC, AUD})  # see no case data at all (三权分立)


@dataclass(frozen=True)
class Row:
    """What one endpoint answers.

    ``ok`` maps each allowed role to its answer on an object in scope (a set of roles means
    200 for each). On an object out of scope an allowed role gets 404, unless it is in
    ``everywhere`` or the endpoint is not ``scoped`` (configuration such as the catalogue is the
    same for everyone).

    Any other role: on an endpoint without an object, ``rest`` (403: may never use it). On an
    object, the lookup comes first: 404 for an object the role cannot see (out of its scope, or
    of a kind it sees none of), 403 for one it can see but may not act on. ``sees`` says who
    sees the inside object (default: the allowed roles; everyone when not scoped), and the
    outside one is seen only by those of them in ``everywhere``. ``object_in_body`` treats an
    API body's ids (e.g. the household an order is for) as the object. ``exact`` pins a role's
    (inside, outside) answers where none of this describes it."""

    ok: dict[str, int | str]
    rest: int = 403
    method: str = "GET"
    anonymous: int | str = "login"
    scoped: bool = True
    everywhere: frozenset[str] = frozenset({CA})
    sees: frozenset[str] | None = None
    object_in_body: bool = False
    exact: dict[str, tuple[int | str, int | str]] = field(default_factory=dict)

    def expect(self, role: str, side: str, has_object: bool, kind: str) -> int | str:
        if role == ANONYMOUS:
            return 401 if kind == "api" and self.anonymous == "login" else self.anonymous
        if role in self.exact:
            return self.exact[role][0 if side == "in" else 1]
        outside = side == "out" and self.scoped
        if role in self.ok:
            return 404 if outside and role not in self.everywhere else self.ok[role]
        if not (has_object or self.object_in_body):
            return self.rest
        sees = self.sees if self.sees is not None else (frozenset(self.ok) if self.scoped else ALL)
        if outside:
            sees = sees & self.everywhere
        return 403 if role in sees else 404


def row(ok=(), code: int | str = 200, **kwargs) -> Row:
    """A row where every role in ``ok`` gets ``code`` (or ``ok`` is already a mapping)."""
    mapping = dict(ok) if isinstance(ok, dict) else dict.fromkeys(ok, code)
    return Row(ok=mapping, **kwargs)


def post(ok=(), code: int | str = 302, **kwargs) -> Row:
    return row(ok, code, method="POST", **kwargs)


PUBLIC = {"anonymous": 200}
EXPECTED: dict[str, Row] = {}  # filled below


# --- The table -----------------------------------------------------------------------------
# Pages: reading an object → row(readers); acting → row/post(allowed, code, sees=readers).
# "login" is a redirect to the sign-in page, 302 any other redirect.
ORDER_READERS = AREA | {BEN, PS, VOL}  # orders/scopes.py
TICKET_READERS = frozenset({SC, DM, CA, HOT})  # dispatch/scopes.py
FRAMEWORK_READERS = AREA | {ASR}  # assessment/scopes.py
ORDER_ON_BEHALF = frozenset({BEN, CW, SC, HOT})  # orders/states.py ORDERING_ROLES
HOUSEHOLD_SIDE = frozenset({BEN, CW, HOT})  # rate and complain for a household
ESCALATION_READERS = frozenset({SC, DM, CA, HOT, PS})  # dispatch/scopes.py
WORKERS = frozenset({ASR, SC, CW, DM, HOT, PS, VOL})  # roles with task lists (*/tasks.py)
DUE_LISTERS = frozenset({ASR, SC, CW})  # assessment/tasks.py DUE_ROLES
TIMEBANK_READERS = frozenset({VOL, DM, CA})  # timebank/scopes.py (accounts)
DEPOSIT_READERS = TIMEBANK_READERS | {BEN, CW, PS}  # timebank/scopes.py (deposits)
NOTE_READERS = AREA | {ASR}  # registry/scopes.py (case notes)
NOTE_WRITERS = EDITORS | {ASR}  # registry/policy.py
TRANSFER_ROLES = frozenset({SC, DM, CA})  # registry/policy.py TRANSFER_SENDERS/RECEIVERS
MANAGERS = frozenset({SC, DM, CA})  # analytics/policy.py DASHBOARD_ROLES
TEAM_MANAGERS = frozenset({DM, CA})  # registry/policy.py

EXPECTED.update(
    {
        "set_language": row(ALL, 302, anonymous=302),
        # catalog: everyone signed in browses; the city administrator configures.
        "catalog:item_list": row(ALL),
        "catalog:item_create": row({CA}),
        "catalog:item_detail": row(ALL, scoped=False),
        "catalog:item_edit": row({CA}, scoped=False),
        "catalog:item_set_active": post({CA}, scoped=False),
        "catalog:need_list": row(ALL),
        "catalog:need_create": row({CA}),
        "catalog:need_edit": row({CA}, scoped=False),
        "catalog:need_set_active": post({CA}, scoped=False),
        "catalog:need_category_create": row({CA}),
        "catalog:need_category_edit": row({CA}, scoped=False),
        # orders: lists send beneficiaries, providers and volunteers to their own list.
        "orders:order_list": row({**dict.fromkeys(AREA, 200), BEN: 302, PS: 302, VOL: 302}),
        "orders:order_export": row(AREA),
        "orders:my_orders": row({**dict.fromkeys(ALL, 302), BEN: 200, PS: 200}),
        "orders:inbox": row({PS}),
        "orders:tasks": row({PS, VOL}),
        "orders:market": row({BEN}),
        "orders:item_order": row({BEN}, scoped=False),
        "orders:household_box": row(HOUSEHOLD_READERS),
        "orders:household_market": row(ORDER_ON_BEHALF, sees=HOUSEHOLD_READERS),
        "orders:household_item_order": row(ORDER_ON_BEHALF, sees=HOUSEHOLD_READERS),
        "orders:order_detail": row(ORDER_READERS),
        "orders:order_accept": post({PS}, sees=ORDER_READERS),
        "orders:order_decline": post({PS}, sees=ORDER_READERS),
        "orders:order_assign": post({PS}, 422, sees=ORDER_READERS),
        "orders:order_start": post({PS, VOL}, sees=ORDER_READERS),
        "orders:order_complete": post({PS, VOL}, sees=ORDER_READERS),
        "orders:order_cancel": post(ORDER_ON_BEHALF, sees=ORDER_READERS),
        "orders:order_rate": post(HOUSEHOLD_SIDE, sees=ORDER_READERS),
        "orders:order_complain": post(HOUSEHOLD_SIDE, 422, sees=ORDER_READERS),
        # The world has no delivery photo: every reader gets 404 (the photo does not exist).
        "orders:delivery_photo": row(()),
        "orders:delivery_confirm": post({BEN, CW}, sees=ORDER_READERS),
        "orders:delivery_dispute": post({BEN, CW}, sees=ORDER_READERS),
        "orders:provider_list": row(ALL),
        "orders:provider_create": row({DM, CA}),
        "orders:provider_detail": row(ALL, scoped=False),
        # The directory is public: a manager may see, not edit, another district's provider.
        "orders:provider_edit": row({CA}, scoped=False, exact={DM: (200, 403)}),
        # assessment
        "assessment:queue": row(AREA | {ASR}),
        "assessment:analytics": row(EDITORS),
        # dashboards (analytics/policy.py DASHBOARD_ROLES): street, district and city managers
        "analytics:dashboard": row(MANAGERS),
        "assessment:start": post({SC, ASR}, sees=HOUSEHOLD_READERS),
        "assessment:household_box": row(HOUSEHOLD_READERS),
        "assessment:form": row(HOUSEHOLD_READERS),
        "assessment:save": post({SC, ASR}, 422, sees=HOUSEHOLD_READERS),
        "assessment:preview": row(HOUSEHOLD_READERS),
        "assessment:submit": post({SC, ASR}, 422, sees=HOUSEHOLD_READERS),
        "assessment:result": row(HOUSEHOLD_READERS, 302),  # a draft: back to the form
        # The report prints a submitted assessment: the world's is a draft, back to its form.
        "assessment:report_print": row(HOUSEHOLD_READERS, 302),
        "assessment:report_pdf": row(HOUSEHOLD_READERS, 302),
        # The household reads its plan in plain words (no tags, no scores): sent to My services.
        "assessment:plan": row({**dict.fromkeys(HOUSEHOLD_READERS - {BEN}, 200), BEN: 302}),
        "assessment:plan_item_add": post({SC}, 422, sees=HOUSEHOLD_READERS),
        "assessment:plan_item_remove": post({SC}, sees=HOUSEHOLD_READERS),
        "assessment:plan_material_status": post({SC}, sees=HOUSEHOLD_READERS),
        "assessment:plan_approve": post({SC}, sees=HOUSEHOLD_READERS),
        "assessment:plan_item_update": post({SC}, sees=HOUSEHOLD_READERS),
        "assessment:plan_pause": post({SC}, sees=HOUSEHOLD_READERS),
        "assessment:plan_resume": post({SC}, sees=HOUSEHOLD_READERS),
        "assessment:plan_end": post({SC}, sees=HOUSEHOLD_READERS),
        "assessment:my_services": row({BEN}),  # a beneficiary's own plan services
        "assessment:my_home": row({BEN}),  # the household's own home (issue 10)
        "assessment:framework_list": row(FRAMEWORK_READERS),
        "assessment:framework_import": row({CA}),
        "assessment:framework_detail": row(FRAMEWORK_READERS, scoped=False, sees=FRAMEWORK_READERS),
        "assessment:framework_export": row(FRAMEWORK_READERS, scoped=False, sees=FRAMEWORK_READERS),
        # The framework is published: its editing pages send the editor back to it.
        "assessment:framework_clone": post({CA}, scoped=False),
        "assessment:framework_settings": row({CA}, 302, scoped=False),
        "assessment:indicator_add": row({CA}, 302, scoped=False),
        "assessment:indicator_edit": row({CA}, 302, scoped=False),
        "assessment:indicator_delete": post({CA}, scoped=False),
        "assessment:framework_compare": row({CA}, scoped=False),
        "assessment:framework_publish": post({CA}, scoped=False),
        # dispatch
        # timebank: the volunteer's own account; confirmations by the household's side and
        # the provider; the managers' list.
        "timebank:mine": row({VOL}),
        "timebank:move": post({VOL}),
        "timebank:deposits": row({BEN, CW, PS}),
        "timebank:deposit_confirm": post({BEN, CW, PS}, sees=DEPOSIT_READERS),
        "timebank:accounts": row({DM, CA}),
        "timebank:accounts_export": row({DM, CA}),
        "timebank:report": row({DM, CA}),
        "timebank:account_detail": row(TIMEBANK_READERS),
        "timebank:account_statement": row(TIMEBANK_READERS),
        "timebank:account_open": row({DM, CA}),
        "timebank:activity_new": row({PS, DM, CA}),
        "timebank:counter": row({PS}),
        "timebank:pool": row({DM, CA}),
        "dispatch:board": row({SC, DM, CA}),
        "dispatch:dispatch_now": post({DM, CA}),
        "dispatch:displays": row({DM}),
        # Display links are refused by role first; another district's link is not found.
        "dispatch:display_revoke": post((), scoped=False, exact={DM: (302, 404)}),
        "dispatch:display": row(ALL, anonymous=200, scoped=False),  # the wall screen's link
        "dispatch:sla": row({DM}),
        "dispatch:escalations": row({SC, DM, CA}),
        "dispatch:escalation_resolve": post({SC, DM, CA}, sees=ESCALATION_READERS),
        "dispatch:ticket_list": row(TICKET_READERS),
        "dispatch:ticket_export": row(TICKET_READERS),
        "dispatch:ticket_create": row({DM, HOT}),
        "dispatch:household_search": row({DM, HOT}),
        "dispatch:ticket_detail": row(TICKET_READERS),
        "dispatch:ticket_print": row(TICKET_READERS),
        "dispatch:ticket_pdf": row(TICKET_READERS),
        # "handle" a received ticket.
        "dispatch:ticket_act": post({SC, DM, HOT}, sees=TICKET_READERS),
        "dispatch:monitoring": row({SC, DM, CA}),
        "dispatch:backlog": row({SC, DM, CA}),
        "dispatch:backlog_export": row({SC, DM, CA}),
        "dispatch:backlog_bulk": post({SC, DM, CA}),
        "dispatch:order_dispatch": row({SC, DM, CA}, sees=ORDER_READERS),
        "dispatch:order_dispatch_act": post({SC, DM, CA}, sees=ORDER_READERS),
        "dispatch:supply_gap": row({SC, DM, CA}),
        "dispatch:supply_gap_export": row({SC, DM, CA}),
        "dispatch:monitoring_export": row({SC, DM, CA}),
        # registry
        "registry:beneficiary_login": row(ALL, anonymous=200),
        # Without a code sent first the page sends everyone back to ask for one.
        "registry:beneficiary_verify": row(ALL, "login", anonymous="login"),
        "registry:dashboard": row(ALL),
        "registry:my_household": row({BEN}, 302),
        "registry:elderly_mode": post({BEN}),  # kept on the household's own account
        "registry:household_list": row(HOUSEHOLD_READERS),
        "registry:household_export": row(EDITORS),
        "registry:household_create": row(EDITORS),
        "registry:household_detail": row(HOUSEHOLD_READERS),
        "registry:chain_print": row(HOUSEHOLD_READERS),
        "registry:chain_pdf": row(HOUSEHOLD_READERS),
        "registry:household_edit": row(EDITORS, sees=HOUSEHOLD_READERS),
        "registry:household_exit": row(EDITORS, sees=HOUSEHOLD_READERS),
        "registry:household_reactivate": row(
            EDITORS, 302, sees=HOUSEHOLD_READERS
        ),  # active: back to the household
        "registry:household_assign": row({SC, DM}, sees=HOUSEHOLD_READERS),
        "registry:member_add": row(EDITORS, sees=HOUSEHOLD_READERS),
        "registry:member_edit": row(EDITORS, sees=HOUSEHOLD_READERS),
        "registry:member_leave": row(EDITORS, sees=HOUSEHOLD_READERS),
        "registry:member_reveal": post(EDITORS | {ASR}, 200, sees=HOUSEHOLD_READERS),
        # casework (issue 10): notes and visits are read by the staff who see the household
        # (not the household); consent by everyone who sees it; transfers by the area roles of
        # either side (inside: a household coming into the street caseworker's street).
        "registry:notes_box": row(NOTE_READERS, sees=HOUSEHOLD_READERS),
        "registry:note_list": row(NOTE_READERS, sees=HOUSEHOLD_READERS),
        "registry:note_add": row(NOTE_WRITERS, sees=HOUSEHOLD_READERS),
        # The follow-up is due: marking it done goes back to the household.
        "registry:note_done": post(NOTE_WRITERS, sees=NOTE_READERS),
        "registry:followup_list": row(NOTE_WRITERS),
        "registry:consent_box": row(HOUSEHOLD_READERS),
        "registry:consent_add": row(EDITORS, sees=HOUSEHOLD_READERS),
        "registry:consent_withdraw": row(EDITORS, sees=HOUSEHOLD_READERS),
        # The world's consents have no photo: every reader gets 404 (the photo does not exist).
        "registry:consent_photo": row(()),
        "registry:transfer_box": row(AREA, sees=HOUSEHOLD_READERS),
        "registry:transfer_request": row(TRANSFER_ROLES, sees=HOUSEHOLD_READERS),
        "registry:transfer_list": row(AREA),
        "registry:transfer_detail": row(AREA),
        "registry:transfer_act": post(TRANSFER_ROLES, sees=AREA),  # accept
        # 救助小管家: the district manager's team. Inside is the community worker (seen by every
        # area role above it, and by itself); outside a Jianye manager, not on anyone's team.
        "registry:team": row(TEAM_MANAGERS),
        "registry:team_export": row(TEAM_MANAGERS),
        "registry:team_member": row(TEAM_MANAGERS, sees=AREA, exact={CA: (200, 404)}),
        "registry:team_training_add": post(TEAM_MANAGERS, 200, sees=AREA, exact={CA: (200, 404)}),
        "registry:team_commendation_add": post(
            TEAM_MANAGERS, 200, sees=AREA, exact={CA: (200, 404)}
        ),
        # core
        # Every role has a start page (departments: their referrals).
        "core:home": row(dict.fromkeys(ALL, 302)),
        # My work: roles with task lists see their workspace, the others go to their start page.
        "core:workspace": row({**dict.fromkeys(ALL, 302), **dict.fromkeys(WORKERS, 200)}),
        # A task list (assessments due) is its roles'; the keys are no secret, so 403 elsewhere.
        "core:task_list": row(DUE_LISTERS, scoped=False),
        "core:task_export": row(DUE_LISTERS, scoped=False),  # the same list, audited
        "core:login": row(ALL, 302, anonymous=200),
        # Probes for load balancers: everyone, signed in or not, no object, no personal data.
        "core:healthz": row(ALL, anonymous=200, scoped=False),
        "core:readyz": row(ALL, anonymous=200, scoped=False),
        "core:logout": post(ALL, "login"),
        "core:password_change": row(ALL),
        "core:two_factor": row(ALL),  # set up or manage one's own second factor
        "core:account_two_factor_reset": post({SEC}, scoped=False),
        # Event deliveries (the outbox) are the city administrator's to watch and retry.
        "core:event_deliveries": row({CA}),
        "core:event_delivery_retry": post({CA}, scoped=False),
        # Approving needs a pending account: an active one is sent back with a message.
        "core:account_approve": post({SEC}, scoped=False),
        "core:account_list": row({SEC}),
        "core:account_create": row({SEC}),
        "core:account_detail": row({SEC}, scoped=False),
        "core:account_set_active": post({SEC}, scoped=False),
        "core:account_unlock": post({SEC}, scoped=False),
        "core:audit_log": row({AUD}),
        "core:audit_export": row({AUD}),
        "core:notifications": row(ALL),
        "core:notifications_read": post(ALL),
        # Inside is the actor's own notification, outside someone else's.
        "core:notification_open": row(ALL, 302, everywhere=frozenset()),
        # Background exports: the list of one's own; inside is the actor's own job (its page
        # and its file), outside someone else's, which nobody else sees.
        "core:export_jobs": row(ALL),
        "core:export_job": row(ALL, everywhere=frozenset()),
        "core:export_job_file": row(ALL, everywhere=frozenset()),
    }
)

# API operations, by operationId. Reads as on the pages; the body is the smallest the schema
# accepts, with the side's own ids, so allowed roles mostly meet a validation answer (422) or
# the state machine (409).
EXPECTED.update(
    {
        "api:jiuzhu_core_api_areas_list_areas": row(ALL),
        "api:jiuzhu_core_api_worklist_my_tasks": row(ALL),
        "api:jiuzhu_core_api_worklist_my_task_list": row(DUE_LISTERS, scoped=False),
        "api:jiuzhu_registry_api_list_households": row(HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_create_household": row(EDITORS, 201),
        "api:jiuzhu_registry_api_get_household": row(HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_update_household": row(EDITORS, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_list_members": row(HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_add_member": row(EDITORS, 422, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_get_member": row(HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_update_member": row(EDITORS, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_leave_member": row(EDITORS, 200, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_reveal_member": row(EDITORS | {ASR}, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_get_chain": row(HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_get_changes": row(HOUSEHOLD_READERS),
        # casework (issue 10); dates default to today, so the smallest body is valid.
        "api:jiuzhu_registry_api_casework_list_notes": row(NOTE_READERS, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_casework_create_note": row(
            NOTE_WRITERS, 201, sees=HOUSEHOLD_READERS
        ),
        "api:jiuzhu_registry_api_casework_list_visits": row(NOTE_READERS, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_casework_create_visit": row(
            NOTE_WRITERS, 201, sees=HOUSEHOLD_READERS
        ),
        "api:jiuzhu_registry_api_casework_complete_follow_up": row(NOTE_WRITERS, sees=NOTE_READERS),
        "api:jiuzhu_registry_api_casework_list_followups": row(NOTE_WRITERS),
        "api:jiuzhu_registry_api_casework_list_consents": row(HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_casework_record_consent": row(
            EDITORS, 201, sees=HOUSEHOLD_READERS
        ),
        "api:jiuzhu_registry_api_casework_withdraw_consent": row(EDITORS, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_registry_api_casework_list_transfers": row(AREA),
        # The body names the household's own community (the same street): refused, 422.
        "api:jiuzhu_registry_api_casework_request_transfer": row(
            TRANSFER_ROLES, 422, sees=HOUSEHOLD_READERS
        ),
        "api:jiuzhu_registry_api_casework_get_transfer": row(AREA),
        "api:jiuzhu_registry_api_casework_accept_transfer": row(TRANSFER_ROLES, sees=AREA),
        "api:jiuzhu_registry_api_casework_refuse_transfer": row(TRANSFER_ROLES, 422, sees=AREA),
        # Only the sending side cancels: the receiving street caseworker sees it, may not.
        "api:jiuzhu_registry_api_casework_cancel_transfer": row(TEAM_MANAGERS, sees=AREA),
        "api:jiuzhu_registry_api_casework_list_team": row(TEAM_MANAGERS),
        "api:jiuzhu_registry_api_casework_add_training": row(
            TEAM_MANAGERS, 201, sees=AREA, exact={CA: (201, 404)}
        ),
        "api:jiuzhu_registry_api_casework_add_commendation": row(
            TEAM_MANAGERS, 201, sees=AREA, exact={CA: (201, 404)}
        ),
        "api:jiuzhu_catalog_api_list_items": row(ALL),
        "api:jiuzhu_catalog_api_create_item": row({CA}, 422),
        "api:jiuzhu_catalog_api_get_item": row(ALL, scoped=False),
        "api:jiuzhu_catalog_api_update_item": row({CA}, scoped=False),
        "api:jiuzhu_catalog_api_list_needs": row(ALL),
        "api:jiuzhu_catalog_api_list_categories": row(ALL),
        "api:jiuzhu_timebank_api_list_accounts": row(TIMEBANK_READERS),
        "api:jiuzhu_timebank_api_list_entries": row(TIMEBANK_READERS),
        # Only volunteers move hours; the smallest body (a transfer without a recipient) is 422.
        "api:jiuzhu_timebank_api_create_transfer": row({VOL}, 422),
        "api:jiuzhu_timebank_api_account_statement": row(TIMEBANK_READERS),
        # Managers open accounts; the smallest body (no volunteer, no household) is 422.
        "api:jiuzhu_timebank_api_open_account": row({DM, CA}, 422),
        # An activity without a title or volunteers, a redemption of no account and a pool
        # grant of nothing are 422 for the roles that may make them.
        "api:jiuzhu_timebank_api_record_activity": row({PS, DM, CA}, 422),
        "api:jiuzhu_timebank_api_redeem_at_counter": row({PS}, 422),
        "api:jiuzhu_timebank_api_grant_from_pool": row({DM, CA}, 422),
        "api:jiuzhu_orders_api_list_providers": row(ALL),
        "api:jiuzhu_orders_hsds_api_hsds_organizations": row(ALL),
        "api:jiuzhu_orders_hsds_api_hsds_services": row(ALL),
        "api:jiuzhu_orders_api_list_orders": row(ORDER_READERS),
        "api:jiuzhu_orders_api_create_order": row(
            ORDER_ON_BEHALF, 201, sees=HOUSEHOLD_READERS, object_in_body=True
        ),
        "api:jiuzhu_orders_api_get_order": row(ORDER_READERS),
        # The order is assigned: accepting and completing it again are conflicts.
        "api:jiuzhu_orders_api_accept": row({PS}, 409, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_decline": row({PS}, 409, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_assign": row({PS}, 422, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_start": row({PS, VOL}, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_complete": row({PS, VOL}, 409, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_cancel": row(ORDER_ON_BEHALF, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_rate": row(
            HOUSEHOLD_SIDE, 409, sees=ORDER_READERS
        ),  # not completed yet
        "api:jiuzhu_orders_api_complain": row(HOUSEHOLD_SIDE, 201, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_check_in": row({PS, VOL}, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_get_evidence": row(ORDER_READERS, 404),
        "api:jiuzhu_orders_api_confirm_delivery": row({BEN, CW}, 409, sees=ORDER_READERS),
        "api:jiuzhu_orders_api_dispute_delivery": row({BEN, CW}, 409, sees=ORDER_READERS),
        "api:jiuzhu_assessment_api_analytics_analytics_mpi": row(EDITORS),
        "api:jiuzhu_analytics_api_analytics_dashboard": row(MANAGERS),
        "api:jiuzhu_analytics_api_analytics_trends": row(MANAGERS),
        "api:jiuzhu_assessment_api_list_assessments": row(HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_start_assessment": row({SC, ASR}, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_get_assessment": row(HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_update_assessment": row({SC, ASR}, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_submit_assessment": row({SC, ASR}, 422, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_preview_assessment": row(HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_get_plan": row(HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_approve_plan": row({SC}, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_add_plan_item": row({SC}, 422, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_update_plan_item": row({SC}, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_remove_plan_item": row({SC}, sees=HOUSEHOLD_READERS),
        # The plan awaits approval: pausing, resuming and ending it are conflicts.
        "api:jiuzhu_assessment_api_pause_plan": row({SC}, 409, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_resume_plan": row({SC}, 409, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_end_plan": row({SC}, 409, sees=HOUSEHOLD_READERS),
        "api:jiuzhu_assessment_api_get_queue": row(AREA | {ASR}),
        "api:jiuzhu_assessment_api_list_frameworks": row(FRAMEWORK_READERS),
        "api:jiuzhu_assessment_api_get_framework": row(
            FRAMEWORK_READERS, scoped=False, sees=FRAMEWORK_READERS
        ),
        "api:jiuzhu_dispatch_api_board": row({SC, DM, CA}),
        "api:jiuzhu_dispatch_api_backlog_list": row({SC, DM, CA}),
        "api:jiuzhu_dispatch_api_supply_gap_list": row({SC, DM, CA}),
        # The order is assigned: offering it again is a conflict.
        "api:jiuzhu_dispatch_api_offer_to": row({DM, CA}, 409, sees=ORDER_READERS),
        "api:jiuzhu_dispatch_api_reoffer": row({DM, CA}, 409, sees=ORDER_READERS),
        "api:jiuzhu_dispatch_api_escalate_order": row({SC, DM, CA}, 201, sees=ORDER_READERS),
        "api:jiuzhu_dispatch_api_bulk": row({SC, DM, CA}, 422),
        "api:jiuzhu_dispatch_api_list_tickets": row(TICKET_READERS),
        "api:jiuzhu_dispatch_api_create_ticket": row({DM, HOT}, 201),
        "api:jiuzhu_dispatch_api_get_ticket": row(TICKET_READERS),
        # The ticket is received, not assigned: handling, calling back and closing conflict.
        "api:jiuzhu_dispatch_api_assign": row({SC, DM, HOT}, 422, sees=TICKET_READERS),
        "api:jiuzhu_dispatch_api_handle": row({SC, DM, HOT}, 409, sees=TICKET_READERS),
        "api:jiuzhu_dispatch_api_call_back": row({SC, DM, HOT}, 409, sees=TICKET_READERS),
        "api:jiuzhu_dispatch_api_close": row({SC, DM, HOT}, 409, sees=TICKET_READERS),
    }
)

# Department referrals: departments read the referrals sent to them, area staff their area's;
# departments answer, the street caseworker sends and withdraws. The referral is waiting.
REFERRAL_READERS = frozenset({DEPT, CW, SC, DM, CA})
_R = "api:jiuzhu_discovery_api_referrals_"
EXPECTED.update(
    {
        "discovery:referral_list": row(REFERRAL_READERS),
        "discovery:referral_export": row(REFERRAL_READERS),
        "discovery:referral_detail": row(REFERRAL_READERS),
        "discovery:referral_accept": post({DEPT}, sees=REFERRAL_READERS),
        "discovery:referral_decline": post({DEPT}, 422, sees=REFERRAL_READERS),
        # Not accepted yet: completing comes back with a message.
        "discovery:referral_complete": post({DEPT}, sees=REFERRAL_READERS),
        "discovery:referral_withdraw": post({SC}, 422, sees=REFERRAL_READERS),
        # The world's plan is a draft: back to the plan with a message.
        "discovery:referral_send": post({SC}, sees=HOUSEHOLD_READERS),
        # The household page's boxes: the household's scope first (404), then the role (403).
        "discovery:household_warnings": row({CW, SC, DM, CA}, sees=HOUSEHOLD_READERS),
        "discovery:household_referrals": row({CW, SC, DM, CA}, sees=HOUSEHOLD_READERS),
        # An empty form: back to the household page with the message.
        "discovery:household_refer": post({SC}, sees=HOUSEHOLD_READERS),
        "discovery:hidden_list": row({SC, DM, CA}),
        "discovery:hidden_export": row({SC, DM, CA}),
        # Desks are configuration everyone working on referrals sees; a district manager sets
        # their own district's only.
        "discovery:desks": row({DM, CA}),
        "discovery:desk_deactivate": post(
            {CA}, scoped=False, sees=REFERRAL_READERS, exact={DM: (302, 403)}
        ),
        _R + "list_department_referrals": row(REFERRAL_READERS),
        _R + "get_department_referral": row(REFERRAL_READERS),
        _R + "accept_department_referral": row({DEPT}, sees=REFERRAL_READERS),
        _R + "decline_department_referral": row({DEPT}, sees=REFERRAL_READERS),
        _R + "complete_department_referral": row({DEPT}, 409, sees=REFERRAL_READERS),
        _R + "withdraw_department_referral": row({SC}, sees=REFERRAL_READERS),
        _R + "send_department_referral": row({SC}, 409, sees=HOUSEHOLD_READERS),
        _R + "list_hidden_poverty": row({SC, DM, CA}),
    }
)


# Applications and screening (evaluation): the public form for everyone, signed in or not;
# district managers (their district's) and the city read; district managers review and decide.
APPLICATION_READERS = frozenset({DM, CA})  # evaluation/scopes.py
EXPECTED.update(
    {
        "evaluation:apply": row(ALL, anonymous=200, scoped=False),
        "evaluation:apply_done": row(ALL, anonymous=200, scoped=False),
        "evaluation:application_list": row(APPLICATION_READERS),
        "evaluation:application_export": row(APPLICATION_READERS),
        "evaluation:shortlist": row(APPLICATION_READERS),
        "evaluation:scorecard": row({DM}),
        "evaluation:application_detail": row(APPLICATION_READERS),
        "evaluation:application_document": row(APPLICATION_READERS),
        # An empty form: the review's scores and the rejection's reason are missing.
        "evaluation:application_review": post({DM}, 422, sees=APPLICATION_READERS),
        "evaluation:application_act": post({DM}, 422, sees=APPLICATION_READERS),
        # The sample body's code "x" is not a code.
        "api:jiuzhu_evaluation_api_applications_submit_application": row(
            ALL, 422, anonymous=422, scoped=False
        ),
        "api:jiuzhu_evaluation_api_applications_list_applications": row(APPLICATION_READERS),
        "api:jiuzhu_evaluation_api_applications_get_application": row(APPLICATION_READERS),
        "api:jiuzhu_evaluation_api_applications_review_application": row(
            {DM}, 422, sees=APPLICATION_READERS
        ),
        # The application is submitted: shortlisting and approving it are conflicts.
        "api:jiuzhu_evaluation_api_applications_shortlist_application": row(
            {DM}, 409, sees=APPLICATION_READERS
        ),
        "api:jiuzhu_evaluation_api_applications_approve_application": row(
            {DM}, 409, sees=APPLICATION_READERS
        ),
        "api:jiuzhu_evaluation_api_applications_reject_application": row(
            {DM}, sees=APPLICATION_READERS
        ),
    }
)

# Projects and settlement (evaluation): managers of the district, the city, and the project's
# provider read; the district's managers act; the provider submits and disputes. The world's
# statement is a draft with one undisputed line.
SETTLEMENT_READERS = frozenset({DM, CA, PS})  # evaluation/scopes.py
EXPECTED.update(
    {
        "evaluation:project_list": row(SETTLEMENT_READERS),
        "evaluation:project_export": row(SETTLEMENT_READERS),
        "evaluation:project_detail": row(SETTLEMENT_READERS),
        "evaluation:spot_check_create": post({DM}, sees=SETTLEMENT_READERS),
        "evaluation:statement_draft": post({DM}, sees=SETTLEMENT_READERS),
        "evaluation:statement_list": row(SETTLEMENT_READERS),
        "evaluation:statement_export": row(SETTLEMENT_READERS),
        "evaluation:statement_detail": row(SETTLEMENT_READERS),
        "evaluation:statement_print": row(SETTLEMENT_READERS),
        "evaluation:statement_pdf": row(SETTLEMENT_READERS),
        # The monthly district report: the user's own district (the city's: any district).
        "evaluation:monthly_report": row({DM, CA}),
        "evaluation:monthly_report_pdf": row({DM, CA}),
        "evaluation:monthly_report_xlsx": row({DM, CA}),
        "evaluation:statement_act": post({PS}, sees=SETTLEMENT_READERS),  # submit
        "evaluation:line_act": post({PS}, sees=SETTLEMENT_READERS),  # dispute, empty reason
        "evaluation:rankings": row({DM, CA}),
        "evaluation:rankings_export": row({DM, CA}),
        "api:jiuzhu_evaluation_api_projects_list_projects": row(SETTLEMENT_READERS),
        "api:jiuzhu_evaluation_api_projects_get_project": row(SETTLEMENT_READERS),
        "api:jiuzhu_evaluation_api_projects_list_spot_checks": row(
            {DM, CA}, sees=SETTLEMENT_READERS
        ),
        # The sample body's date is "x": the role passes, the input does not.
        "api:jiuzhu_evaluation_api_projects_create_spot_check": row(
            {DM}, 422, sees=SETTLEMENT_READERS
        ),
        "api:jiuzhu_evaluation_api_projects_draft_statement": row(
            {DM}, 422, sees=SETTLEMENT_READERS
        ),
        "api:jiuzhu_evaluation_api_projects_list_settlements": row(SETTLEMENT_READERS),
        "api:jiuzhu_evaluation_api_projects_get_settlement": row(SETTLEMENT_READERS),
        "api:jiuzhu_evaluation_api_projects_submit_settlement": row({PS}, sees=SETTLEMENT_READERS),
        "api:jiuzhu_evaluation_api_projects_approve_settlement": row({DM}, sees=SETTLEMENT_READERS),
        # A draft cannot be paid.
        "api:jiuzhu_evaluation_api_projects_pay_settlement": row(
            {DM}, 409, sees=SETTLEMENT_READERS
        ),
        "api:jiuzhu_evaluation_api_projects_dispute_line": row({PS}, sees=SETTLEMENT_READERS),
        # The line is not disputed: nothing to resolve.
        "api:jiuzhu_evaluation_api_projects_resolve_line": row({DM}, 409, sees=SETTLEMENT_READERS),
        "api:jiuzhu_evaluation_api_projects_provider_rankings": row({DM, CA}),
        # Creating and editing projects, and a district's tiers (evaluation/policy.py:
        # PROJECT_MANAGERS, TIER_EDITORS, TIER_READERS). An empty form or the sample body is
        # invalid for the district's managers.
        "evaluation:project_create": row({DM}),
        "evaluation:project_edit": row({DM}, sees=SETTLEMENT_READERS),
        "evaluation:settlement_tiers": row({DM, CA}),
        "api:jiuzhu_evaluation_api_projects_create_project": row({DM}, 422),
        "api:jiuzhu_evaluation_api_projects_update_project": row(
            {DM}, 422, sees=SETTLEMENT_READERS
        ),
        "api:jiuzhu_evaluation_api_projects_get_settlement_tiers": row({DM, CA}),
        "api:jiuzhu_evaluation_api_projects_set_settlement_tiers": row(
            {DM}, 422, sees=frozenset({DM, CA})
        ),
        # The applicant's public status page (no account): a look-up form for everyone.
        "evaluation:apply_status": row(ALL, anonymous=200, scoped=False),
        # The verdict on a complaint's ticket (orders/policy.py COMPLAINT_JUDGES): an empty
        # form is invalid; the API's sample body decides it (not upheld).
        "dispatch:complaint_verdict": post({SC, DM, HOT}, 422, sees=TICKET_READERS),
        "api:jiuzhu_dispatch_api_complaint_verdict": row({SC, DM, HOT}, sees=TICKET_READERS),
    }
)


# --- The test ------------------------------------------------------------------------------


def _document() -> dict:
    from jiuzhu.api import api

    return api.get_openapi_schema()


# Imports and warnings (discovery): policy.py's role sets, scopes.py's grants.
DISCOVERY_IMPORTERS = frozenset({DEPT, DM, CA})
WARNING_READERS = frozenset({CW, SC, DM, CA, VOL})  # the volunteer is assigned the inside one
WARNING_VERIFIERS = frozenset({CW, SC, DM, VOL})
NEIGHBOUR_REFERRERS = frozenset({BEN, VOL, CW, SC, HOT})
EXPECTED.update(
    {
        "discovery:batch_list": row(DISCOVERY_IMPORTERS),
        "discovery:batch_export": row(DISCOVERY_IMPORTERS),
        "discovery:import_upload": row(DISCOVERY_IMPORTERS),
        "discovery:import_progress": row(DISCOVERY_IMPORTERS),
        "discovery:batch_detail": row(DISCOVERY_IMPORTERS),
        "discovery:batch_errors": row(DISCOVERY_IMPORTERS),
        "discovery:warning_list": row(WARNING_READERS),
        "discovery:warning_detail": row(WARNING_READERS),
        # The empty visit form is shown again with its errors.
        "discovery:warning_verify": post(WARNING_VERIFIERS, 200, sees=WARNING_READERS),
        "discovery:warning_assign": post({SC, DM}, sees=WARNING_READERS),
        "discovery:rule_list": row({SC, DM, CA}),
        "discovery:referral_create": row(NEIGHBOUR_REFERRERS),
        "discovery:my_referrals": row(NEIGHBOUR_REFERRERS),
        "discovery:referral_network": row({DM, CA}),
        # An empty push is a refused batch (422).
        "api:jiuzhu_discovery_api_imports_push_rows": row(DISCOVERY_IMPORTERS, 422),
        "api:jiuzhu_discovery_api_imports_list_batches": row(DISCOVERY_IMPORTERS),
        "api:jiuzhu_discovery_api_imports_get_batch": row(DISCOVERY_IMPORTERS),
        "api:jiuzhu_discovery_api_imports_list_warnings": row(WARNING_READERS),
        "api:jiuzhu_discovery_api_imports_get_warning": row(WARNING_READERS),
        "api:jiuzhu_discovery_api_imports_verify_warning": row(
            WARNING_VERIFIERS, sees=WARNING_READERS
        ),
        # The smallest body names nobody (neither a name nor an address): 422.
        "api:jiuzhu_discovery_api_imports_refer_neighbour": row(NEIGHBOUR_REFERRERS, 422),
    }
)


ENDPOINTS: dict[str, Endpoint] = {
    **{key: Endpoint(key, "web", "GET", params) for key, params in web_endpoints().items()},
    **api_operations(_document()),
}


def _endpoint(key: str) -> Endpoint:
    endpoint = ENDPOINTS[key]
    if endpoint.kind == "web" and key in EXPECTED:
        return Endpoint(key, "web", EXPECTED[key].method, endpoint.params)
    return endpoint


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction rolled back at the end; each
    test runs in its own savepoint, so what a POST changes is undone before the next."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            sessions = {}
            for role, user in built["actors"].items():
                client = Client()
                client.force_login(user)
                sessions[role] = client.cookies["sessionid"].value
            built["sessions"] = sessions
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def call(world: dict, endpoint: Endpoint, role: str, side_name: str) -> int | str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != ANONYMOUS:
        client.cookies["sessionid"] = world["sessions"][role]
    side = dict(world["sides"][side_name])
    if side_name == "in" and role != ANONYMOUS:
        side["notification"] = world["own_notifications"][role]
        side["export_job"] = world["own_export_jobs"][role]
    elif side_name == "in":
        side["notification"] = world["sides"]["out"]["notification"]
        side["export_job"] = world["sides"]["out"]["export_job"]
    url = url_for(endpoint, side)
    body = endpoint.body
    if body:
        data = json.loads(body)
        data.update({name: value(endpoint.key, name, side) for name in data if name in PARAMETERS})
        body = json.dumps(data)
    if endpoint.method == "GET":
        response = client.get(url)
    elif endpoint.kind == "web":
        response = client.post(url, {})
    else:
        response = client.generic(endpoint.method, url, body or "", content_type="application/json")
    return outcome(response)


def test_every_endpoint_has_a_row():
    missing = sorted(set(ENDPOINTS) - set(EXPECTED))
    assert not missing, f"endpoints without a row in the sweep's EXPECTED table: {missing}"
    stale = sorted(set(EXPECTED) - set(ENDPOINTS))
    assert not stale, f"rows for endpoints that no longer exist: {stale}"
    stale_divergences = sorted(
        f"{key} × {role}" for key, role in KNOWN_DIVERGENCES if key not in ENDPOINTS
    )
    assert not stale_divergences, f"divergences of unknown endpoints: {stale_divergences}"


def test_the_sweep_tries_every_role():
    assert set(ACTORS) == {ANONYMOUS, *Role.values}


CASES = [
    pytest.param(key, role, id=f"{key}-{role}")
    for key in sorted(ENDPOINTS)
    if key in EXPECTED
    for role in ACTORS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), CASES)
def test_endpoint_answers_each_role(world, key, role):
    endpoint = _endpoint(key)
    expected_row = EXPECTED[key]
    sides = ("in", "out") if endpoint.has_object else ("in",)
    expected = {
        side: expected_row.expect(role, side, endpoint.has_object, endpoint.kind) for side in sides
    }
    got = {side: call(world, endpoint, role, side) for side in sides}
    if (key, role) in KNOWN_DIVERGENCES:
        if got != expected:
            pytest.xfail(f"known divergence: {KNOWN_DIVERGENCES[(key, role)]}; got {got}")
        pytest.fail(
            f"{key} × {role} now answers as the table says: delete it from KNOWN_DIVERGENCES"
        )
    assert got == expected, f"{endpoint.method} {key} as {role}"


#: (endpoint, role) → why today's code answers otherwise than the table (see the docstring).
#: Each runs as xfail while it diverges and fails once it answers as the table says.
KNOWN_DIVERGENCES: dict[tuple[str, str], str] = {}
