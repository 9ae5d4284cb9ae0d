"""The one application error type. Services raise it; the API and the web translate it."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with a stable shape: a machine-readable code, a translated message, extras.

    ``status`` is the HTTP status the API answers with: 400 for bad input a service caught,
    403 for a transition the caller may not make, 404 for what the caller cannot see,
    409 for a state conflict, 422 for field validation.
    """

    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, **extra: Any):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.extra = extra
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class ValidationFailed(DomainError):
    """Field-level problems: ``extra["fields"]`` maps a field name to its messages."""

    status = 422

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        from django.utils.translation import gettext as _

        super().__init__(
            "validation_error",
            message or _("Some fields are not valid."),
            fields={name: [str(m) for m in msgs] for name, msgs in fields.items()},
        )
        self.fields = self.extra["fields"]


class NotFound(DomainError):
    status = 404

    def __init__(self, what: str = "object"):
        from django.utils.translation import gettext as _

        super().__init__("not_found", _("Not found."), object=what)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str | None = None):
        from django.utils.translation import gettext as _

        super().__init__("forbidden", message or _("You may not do this."))


class Conflict(DomainError):
    status = 409
