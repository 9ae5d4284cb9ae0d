"""Model fields that keep a value encrypted at rest, and the keyed hash that keeps it findable.

Why fields and not service code: a mobile number or a note is written by forms, the API,
imports, the demo generator and the admin; a field encrypts on every one of those paths and
decrypts on every read, so pages, forms, exports and the API see the same plaintext as before.
(Identity numbers predate this and are encrypted explicitly by the registry's services.)

* :class:`EncryptedCharField` / :class:`EncryptedTextField` hold plaintext in Python and a Fernet
  token in the database (a ``text`` column; ``max_length`` limits the plaintext). A blank value
  is stored blank, so "has no mobile number" stays a plain filter. A stored value that is not a
  token is read as it is: a row written before the data migration, or by raw SQL, stays readable
  and ``jiuzhu rotate-key`` encrypts it.
* :class:`EncryptedDateField` does the same for a date (a member's birth date), read back as a
  ``date``.
* The database cannot compare ciphertexts, so these fields accept only ``= ''`` and ``IS NULL``
  lookups; any other lookup raises at once rather than silently matching nothing. Equality
  search goes through a :class:`LookupHashField`: HMAC-SHA256 of the normalised value under the
  field key, kept current from its source field on every save (like ``auto_now``). Writers that
  bypass ``save()`` (``QuerySet.update``, ``bulk_update``) must set the hash too.

Which fields are encrypted, and why, is docs/data-classification.md.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.db import models
from django.db.models.lookups import Exact, IsNull

from jiuzhu.core import crypto

#: Kinds of lookup hash: how the source value is normalised before hashing.
PHONE = "phone"
IDENTITY = "identity"


def phone_search_key(raw: str) -> str:
    """A phone number as it is hashed and searched: full-width digits made ASCII, spaces and
    hyphens dropped, so "025-8555 0000" and "02585550000" are the same number."""
    return re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", raw or ""))


def phone_hashes(raw: str) -> list[str]:
    """The lookup hashes (current key first, then old keys) a phone search compares with."""
    key = phone_search_key(raw)
    return crypto.lookup_hashes(f"phone:{key}") if key else []


def phone_hash(raw: str) -> str:
    """The lookup hash of a phone number under the current key ("" for no number)."""
    key = phone_search_key(raw)
    return crypto.lookup_hash(f"phone:{key}") if key else ""


def _hash(kind: str, value: str) -> str:
    if not value:
        return ""
    if kind == PHONE:
        return phone_hash(value)
    return crypto.lookup_hash(value)


class _BlankOnlyExact(Exact):
    """``field = ''`` is allowed (blank values are stored blank); equality with anything else
    would compare a fresh ciphertext and never match."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise TypeError(
                f"{self.lhs.output_field.name} is encrypted: search by its lookup hash instead"
            )
        return super().get_prep_lookup()


class EncryptedField:
    """What the encrypted fields share (``isinstance`` finds them for backups and rotation)."""

    def get_lookup(self, lookup_name: str):  # type: ignore[no-untyped-def]
        if lookup_name == "exact":
            return _BlankOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_internal_type(self) -> str:
        return "TextField"  # a token is about four times the plaintext, plus 100 bytes

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value or not crypto.is_token(value):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class EncryptedCharField(EncryptedField, models.CharField):
    """A short text (a phone number, a note) encrypted at rest; forms see a ``CharField``."""


class EncryptedTextField(EncryptedField, models.TextField):
    """A long text encrypted at rest."""


class EncryptedDateField(EncryptedField, models.DateField):
    """A date encrypted at rest (a member's birth date: with the issuing area and the last four
    characters it rebuilds an identity number, issue 16 item 1). Python sees a ``date``; the
    column holds the token of its ISO form. A stored value that is not a token (an ISO date
    written before the data migration, or by raw SQL) is read as that date. The database cannot
    compare, sort or extract from it: anything computed from the date (ages, groups) is computed
    in Python after reading."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "" or isinstance(value, dt.date):
            return value or None
        if crypto.is_token(value):
            value = crypto.decrypt(value)
        return dt.date.fromisoformat(value)

    def get_prep_value(self, value: Any) -> Any:
        value = models.DateField.get_prep_value(self, value)
        if value is None or value == "":
            return None
        return crypto.encrypt(value.isoformat())

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # DateField would hand the token to the backend's date adapter.
        return value if prepared else self.get_prep_value(value)


class LookupHashField(models.CharField):
    """The keyed hash of another field's value, for equality search without decryption.

    ``source`` names the field; ``kind`` says how its value is normalised (``"phone"``, or
    ``"identity"`` for a value hashed as it is). With ``from_token`` the source holds a token
    that code encrypts itself (identity numbers), so the hash is of its decryption. With
    ``automatic`` (the default) the hash is recomputed on every save; otherwise the services
    set it and only ``jiuzhu rotate-key`` recomputes it.
    """

    def __init__(
        self,
        *args: Any,
        source: str,
        kind: str = PHONE,
        from_token: bool = False,
        automatic: bool = True,
        **kwargs: Any,
    ) -> None:
        self.source, self.kind = source, kind
        self.from_token, self.automatic = from_token, automatic
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.kind != PHONE:
            kwargs["kind"] = self.kind
        if self.from_token:
            kwargs["from_token"] = True
        if not self.automatic:
            kwargs["automatic"] = False
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def plaintext(self, instance: models.Model) -> str:
        """The source value in the clear."""
        value = getattr(instance, self.source) or ""
        return crypto.decrypt(value) if self.from_token and value else value

    def compute(self, instance: models.Model) -> str:
        """The hash for ``instance``'s current source value, under the current key."""
        return _hash(self.kind, self.plaintext(instance))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if not self.automatic:
            return super().pre_save(model_instance, add)
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value
