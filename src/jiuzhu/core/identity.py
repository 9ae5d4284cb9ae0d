"""Resident identity numbers (GB 11643-1999) and mobile numbers.

Masking an identity number is the registry's (``registry.services.members.
masked_identity_number``: the last four characters, which need no decryption).

We use python-stdnum's check-character helper but not ``stdnum.cn.ric.validate()``: that
rejects numbers whose area code is unknown to it or did not exist in the birth year, while area
codes are where a number was issued and get renamed over time (see DOMAIN.md). A real person's
number must never be refused for that.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.cn import ric

ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
EARLIEST_BIRTH = dt.date(1880, 1, 1)


class InvalidIdentityNumber(ValueError):
    """The number is not valid; the message says why, in the active language."""


@dataclass(frozen=True)
class IdentityFacts:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def _halfwidth(raw: str) -> str:
    """Full-width digits and letters (１３８, Ｘ), as Chinese input methods type them, become
    their ASCII forms; ``\\d`` would otherwise let them through and store them as typed."""
    return unicodedata.normalize("NFKC", raw or "")


def normalise_identity_number(raw: str) -> str:
    """Strip spaces, make full-width characters ASCII and a trailing x upper-case."""
    return re.sub(r"\s+", "", _halfwidth(raw)).upper()


def parse_identity_number(raw: str, *, today: dt.date | None = None) -> IdentityFacts:
    """Validate an 18-character number and derive birth date and sex from it."""
    number = normalise_identity_number(raw)
    if len(number) != 18:
        raise InvalidIdentityNumber(
            _("An identity number has 18 characters; this one has %(n)d.") % {"n": len(number)}
        )
    if not ID_PATTERN.match(number):
        raise InvalidIdentityNumber(_("An identity number is 17 digits followed by a digit or X."))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentityNumber(
            _("Characters 7 to 14 must be a real birth date (YYYYMMDD); %(d)s is not.")
            % {"d": number[6:14]}
        ) from None
    today = today or dt.date.today()
    if birth > today or birth < EARLIEST_BIRTH:
        raise InvalidIdentityNumber(
            _("The birth date %(d)s in the number is not plausible.") % {"d": birth.isoformat()}
        )
    expected = ric.calc_check_digit(number)
    if expected != number[-1]:
        raise InvalidIdentityNumber(
            _("The check character is wrong: it should be %(expected)s, not %(given)s.")
            % {"expected": expected, "given": number[-1]}
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdentityFacts(number=number, birth_date=birth, sex=sex)


def complete_identity_number(first17: str) -> str:
    """Append the check character to 17 digits (used by the demo data generator)."""
    return first17 + ric.calc_check_digit(first17 + "0")


def mask_mobile(mobile: str) -> str:
    """What pages and the audit log show of a mobile number: ``139****0000``. Anything that is
    not 11 characters (a mistyped number) shows only its last four, so it never appears whole.
    (Staff pages show members' and households' phone numbers in full, by policy.)"""
    if len(mobile) == 11:
        return mobile[:3] + "****" + mobile[7:]
    return "*" * max(len(mobile) - 4, 0) + mobile[-4:] if len(mobile) > 4 else "*" * len(mobile)


def validate_mobile(raw: str) -> str:
    mobile = re.sub(r"[\s-]+", "", _halfwidth(raw))
    if not MOBILE_PATTERN.match(mobile):
        raise ValueError(_("A mobile number is 11 digits starting with 13 to 19."))
    return mobile
