"""The OpenAPI document tells the truth (issue 8, item 7): a client generated from it knows the
valid values of every choice field and the error answers of every operation."""

from __future__ import annotations

import pytest
from django.apps import apps

#: Properties named like a model's choice field that are something else (free text, or a
#: field of another model with the same name and no choices), by schema and property.
NOT_CHOICES = {
    ("ItemOut", "level"),  # a catalogue service level's code, not an area level
    ("jiuzhu_catalog_api_list_items", "level"),
    ("ChangeOut", "reason"),  # why the household changed (text)
    ("ReasonIn", "reason"),
    ("PlanReasonIn", "reason"),  # why a plan is paused or ended (text)
    ("MaterialOut", "reason"),  # the recommendation's explanation (text)
    ("HouseholdPatch", "reason"),  # why the change was made (text)
    ("MemberIn", "reason"),
    ("MemberPatch", "reason"),
    ("MemberLeaveIn", "reason"),
    ("ItemActiveIn", "reason"),
    ("CancelIn", "reason"),
    ("DeclineIn", "reason"),
    ("LeaveIn", "reason"),
    ("DisputeIn", "reason"),  # what did not happen as recorded (text)
    ("StatementDisputeIn", "reason"),  # why a settlement line is disputed (text)
    ("OfferIn", "reason"),  # why the dispatcher chose this provider (text)
    ("BulkIn", "reason"),
    ("BulkIn", "action"),  # offer, re-offer or escalate: an action, not a model field
    # Imports and warnings
    ("RowErrorOut", "reason"),  # why a department row was rejected (text)
    ("VerifyIn", "outcome"),  # the visit's outcome (dismiss, register, reassess), not a job's
    ("jiuzhu_dispatch_api_backlog_list", "reason"),  # why an order waits (computed, not stored)
    # casework (issue 10): texts, and enums of a subset of a model's choices
    ("WithdrawIn", "reason"),  # why a consent is withdrawn (text)
    ("TransferIn", "reason"),  # why the household moves (text)
    ("TransferOut", "reason"),
    ("CommendationIn", "reason"),  # what the commendation is for (text)
    ("CommendationOut", "reason"),
    ("VisitIn", "kind"),  # the visit kinds of NoteKind (not "note")
    ("TeamMemberOut", "role"),  # the frontline roles only
    ("jiuzhu_registry_api_casework_list_team", "role"),
    # Department referrals: why a department declines or a caseworker withdraws (text)
    ("ReferralReasonIn", "reason"),
}

#: Operations that are open to everyone (no 401/403).
PUBLIC_OPERATIONS: set[str] = set()

# Applications and screening: the reasons are text; organisations apply without credentials.
NOT_CHOICES |= {
    ("ApplicationScoreIn", "reason"),  # why a reviewer gave this score (text)
    ("ApplicationScoreOut", "reason"),
    ("ApplicationRejectIn", "reason"),  # why the application is rejected (text)
    ("ApplicationApproveIn", "reason"),
}
PUBLIC_OPERATIONS |= {"jiuzhu_evaluation_api_applications_submit_application"}


def _document() -> dict:
    from jiuzhu.api import api

    return api.get_openapi_schema()


def _choice_fields() -> dict[str, list[set[str]]]:
    """Each choice field name of the project's models → the value sets it takes."""
    found: dict[str, list[set[str]]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("jiuzhu."):
            continue
        for field in model._meta.concrete_fields:
            if field.choices:
                found.setdefault(field.name, []).append({str(v) for v, _ in field.choices})
    return found


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _enum(document: dict, schema: dict) -> set | None:
    """The enum of a property, looking through references and ``anyOf [x, null]``."""
    schema = _resolve(document, schema)
    if "enum" in schema:
        return set(schema["enum"])
    for option in schema.get("anyOf", []):
        inner = _enum(document, option)
        if inner is not None:
            return inner
    if schema.get("type") == "array" and "items" in schema:
        return _enum(document, schema["items"])
    return None


def _properties(document: dict):
    for name, schema in document["components"]["schemas"].items():
        for prop, prop_schema in schema.get("properties", {}).items():
            yield f"{name}.{prop}", name, prop, prop_schema
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    where = f"{method.upper()} {path} ?{parameter['name']}"
                    yield where, operation["operationId"], parameter["name"], parameter["schema"]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document keys schemas by class name: a second class of the same name
    silently replaces the first, so an operation validates against another app's body."""
    from ninja import Schema

    _document()
    modules: dict[str, set[str]] = {}
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("jiuzhu."):
            modules.setdefault(schema.__name__, set()).add(schema.__module__)
    assert {name: found for name, found in modules.items() if len(found) > 1} == {}


def test_every_choice_field_is_an_enum_of_its_model_values():
    document = _document()
    choices = _choice_fields()
    problems = []
    for where, owner, prop, schema in _properties(document):
        if prop not in choices or (owner, prop) in NOT_CHOICES:
            continue
        enum = _enum(document, schema)
        if enum is None:
            problems.append(f"{where} is a plain {schema.get('type', schema)}, not an enum")
            continue
        values = {str(v) for v in enum if v not in (None, "")}
        if not any(values == options - {""} for options in choices[prop]):
            problems.append(f"{where} lists {sorted(values)}, not a model's {prop} choices")
    assert not problems, "\n".join(problems)


def test_the_choice_check_catches_a_plain_string():
    """The walk above is not vacuous: the member's relation is a choice field and appears."""
    document = _document()
    props = {(owner, prop) for _, owner, prop, _ in _properties(document)}
    assert ("MemberOut", "relation") in props
    assert "relation" in _choice_fields()


def _expected_errors(path: str, method: str, operation: dict) -> set[str]:
    expected = {"401", "403"} if operation.get("security") else set()
    if "{" in path:
        expected.add("404")
    if operation.get("parameters") or operation.get("requestBody"):
        expected.add("422")
    if method != "get":
        expected.add("409")
    if operation.get("requestBody"):
        expected.add("400")
    return expected


def _operations():
    document = _document()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield pytest.param(path, method, operation, id=operation["operationId"])


@pytest.mark.parametrize(("path", "method", "operation"), list(_operations()))
def test_every_operation_documents_its_errors(path, method, operation):
    responses = {str(status): answer for status, answer in operation["responses"].items()}
    missing = _expected_errors(path, method, operation) - set(responses)
    assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
    for status in {"400", "401", "403", "404", "409", "422"} & set(responses):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (status, schema)


def test_the_error_schema_is_code_message_extra():
    schema = _document()["components"]["schemas"]["ErrorOut"]
    assert set(schema["properties"]) == {"code", "message", "extra"}
    assert set(schema["required"]) == {"code", "message"}


def test_every_operation_requires_credentials():
    """So 401 is documented everywhere: no operation is public today."""
    document = _document()
    public = {
        operation["operationId"]
        for methods in document["paths"].values()
        for operation in methods.values()
        if not operation.get("security")
    }
    assert public == PUBLIC_OPERATIONS
