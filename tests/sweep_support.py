"""Machinery of the authorization sweep (``test_authorization_sweep.py``): find every endpoint
in the URL configuration and the OpenAPI document, build its URL for an object inside or outside
the actor's scope, call it, and name the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: Where each path parameter's value comes from in a side of the world (``sweep_cast``).
PARAMETERS = {
    "household_id": lambda side: side["household"].pk,
    "member_id": lambda side: side["member"].pk,
    "order_id": lambda side: side["order"].pk,
    "provider_id": lambda side: side["provider"].pk,
    "assessment_id": lambda side: side["assessment"].pk,
    "plan_id": lambda side: side["plan"].pk,
    "material_id": lambda side: side["material"].pk,
    "ticket_id": lambda side: side["ticket"].pk,
    "escalation_id": lambda side: side["escalation"].pk,
    "token_id": lambda side: side["display"].pk,
    "token": lambda side: side["display_raw"],
    "user_id": lambda side: side["account"].pk,
    "notification_id": lambda side: side["notification"].pk,
    "job_id": lambda side: side["export_job"].pk,
    "delivery_id": lambda side: side["delivery"].pk,
    "need_id": lambda side: side["need"].pk,
    "category_id": lambda side: side["need"].category_id,
    "version": lambda side: side["framework"].version,
    "indicator_id": lambda side: side["indicator"].pk,
    "item_id": lambda side: side["item"].pk,
    "action": lambda side: "handle",
    "assignee_id": lambda side: side["account"].pk,
    "community_id": lambda side: side["household"].community_id,
    "key": lambda side: "assessments_due",  # a task list (core/worklist.py)
    "account_id": lambda side: side["timebank_account"].pk,
    "deposit_id": lambda side: side["deposit"].pk,
    # Imports and warnings
    "batch_id": lambda side: side["batch"].pk,
    "warning_id": lambda side: side["warning"].pk,
    "note_id": lambda side: side["note"].pk,
    "consent_id": lambda side: side["consent"].pk,
    "transfer_id": lambda side: side["transfer"].pk,
    "to_community_id": lambda side: side["household"].community_id,
    # Projects and settlement
    "project_id": lambda side: side["project"].pk,
    "statement_id": lambda side: side["statement"].pk,
    "line_id": lambda side: side["line"].pk,
    "district_id": lambda side: side["project"].district_id,
    # Applications and screening
    "application_id": lambda side: side["application"].pk,
    "document_id": lambda side: side["application_document"].pk,
    # Department referrals
    "referral_id": lambda side: side["referral"].pk,
    "desk_id": lambda side: side["desk"].pk,
}
#: Parameters that mean something else on one endpoint.
OVERRIDES = {
    ("registry:transfer_act", "action"): lambda side: "accept",
    ("assessment:plan_item_remove", "item_id"): lambda side: side["plan_item"].pk,
    ("dispatch:order_dispatch_act", "action"): lambda side: "reoffer",
    ("assessment:plan_item_update", "item_id"): lambda side: side["plan_item"].pk,
    ("api:jiuzhu_assessment_api_update_plan_item", "item_id"): lambda side: side["plan_item"].pk,
    ("api:jiuzhu_assessment_api_remove_plan_item", "item_id"): lambda side: side["plan_item"].pk,
    # Projects and settlement
    ("evaluation:statement_act", "action"): lambda side: "submit",
    ("evaluation:line_act", "action"): lambda side: "dispute",
    # Applications and screening
    ("evaluation:application_act", "action"): lambda side: "reject",
    # Department referrals: the referral's own recommendation of the plan.
    ("discovery:referral_send", "material_id"): lambda side: side["referral"].recommendation_id,
    (
        "api:jiuzhu_discovery_api_referrals_send_department_referral",
        "material_id",
    ): lambda side: side["referral"].recommendation_id,
}


@dataclass(frozen=True)
class Endpoint:
    key: str  # "namespace:name" for pages, "api:<operationId>" for API operations
    kind: str  # "web" or "api"
    method: str
    params: tuple[str, ...] = field(default=())
    path: str = ""  # the API's path template
    body: str | None = None  # the API's JSON body

    @property
    def has_object(self) -> bool:
        return bool(self.params)


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace, pattern


def _params(pattern: URLPattern) -> tuple[str, ...]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters:
        return tuple(converters)
    return tuple(pattern.pattern.regex.groupindex)


def web_endpoints() -> dict[str, tuple[str, ...]]:
    """Every named page outside the API (the API is swept from its own document)."""
    found = {}
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace.split(":")[0] == "api":
            continue
        key = f"{namespace}:{pattern.name}" if namespace else pattern.name
        found[key] = _params(pattern)
    return found


def api_operations(document: dict) -> dict[str, Endpoint]:
    """operationId → its endpoint, from the OpenAPI document."""
    found = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            key = f"api:{operation['operationId']}"
            found[key] = Endpoint(
                key,
                "api",
                method.upper(),
                tuple(re.findall(r"{(\w+)}", path)),
                path,
                api_body(document, operation),
            )
    return found


def value(key: str, name: str, side: dict):
    return OVERRIDES.get((key, name), PARAMETERS[name])(side)


def url_for(endpoint: Endpoint, side: dict) -> str:
    kwargs = {name: value(endpoint.key, name, side) for name in endpoint.params}
    if endpoint.kind == "web":
        return reverse(endpoint.key, kwargs=kwargs)
    return endpoint.path.format(**kwargs)


def outcome(response) -> int | str:
    """The status, except that a redirect to the sign-in page is "login"."""
    if response.status_code in (301, 302) and "/login/" in response.get("Location", ""):
        return "login"
    return response.status_code


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def sample(document: dict, schema: dict):
    """The smallest value of the schema's shape: it passes the API's schema validation so the
    request reaches the permission check, and means nothing (the first enum value, 1, "x")."""
    schema = _resolve(document, schema)
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            options = [_resolve(document, s) for s in schema[combined]]
            options = [s for s in options if s.get("type") != "null"] or options
            return sample(document, options[0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    formatted = {"date": "2000-01-01", "date-time": "2000-01-01T00:00:00+08:00"}
    if kind == "string" and schema.get("format") in formatted:
        return formatted[schema["format"]]
    if kind == "object" or "properties" in schema:
        return {
            name: sample(document, schema["properties"][name])
            for name in schema.get("required", [])
        }
    return {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": []}.get(kind)


def api_body(document: dict, operation: dict) -> str | None:
    """A JSON body for the operation (None when it takes none)."""
    import json

    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return json.dumps(sample(document, content["application/json"]["schema"]))
