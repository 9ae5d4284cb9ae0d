"""What a later capability tells the plan page about a material recommendation's referral.

Material assistance (医疗救助, 住房救助 …) is granted by other departments. Where the department
responsible is on the platform, the discovery app refers the recommendation to it and follows
the department's answer; the plan then shows that referral's live status instead of a status the
caseworker sets by hand. Assessment comes before discovery in the layering, so discovery
registers two functions here from its ``AppConfig.ready`` (``discovery/hooks.py``):

* ``register_material_referrals(lookup)``: ``lookup(user, recommendations)`` returns, for each
  recommendation whose kind a department on the platform handles, a :class:`MaterialReferral`;
* ``register_material_managed(managed)``: ``managed(recommendation)`` says whether its status
  follows a department referral (then ``material_set_status`` refuses a hand-set one).

Without registrations every recommendation keeps the hand-set status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from jiuzhu.assessment.models import MaterialRecommendation
from jiuzhu.core.models import User


@dataclass(frozen=True)
class MaterialReferral:
    department: str  # the receiving department
    status: str  # the referral's status code ("" when not referred yet)
    status_label: str
    deadline: dt.datetime | None = None
    overdue: bool = False
    url: str = ""  # the referral's page
    send_url: str = ""  # where a caseworker posts to refer it now ("" when they cannot)
    blocked: str = ""  # why it cannot be referred now although it otherwise could (no consent)


Lookup = Callable[[User, Sequence[MaterialRecommendation]], dict[int, MaterialReferral]]
Managed = Callable[[MaterialRecommendation], bool]

_lookup: list[Lookup] = []
_managed: list[Managed] = []


def register_material_referrals(lookup: Lookup) -> None:
    """One lookup; the last registration wins."""
    _lookup[:] = [lookup]


def register_material_managed(managed: Managed) -> None:
    _managed[:] = [managed]


def material_referrals(
    user: User, recommendations: Sequence[MaterialRecommendation]
) -> dict[int, MaterialReferral]:
    if not _lookup or not recommendations:
        return {}
    return _lookup[0](user, recommendations)


def managed_by_referral(recommendation: MaterialRecommendation) -> bool:
    return bool(_managed) and _managed[0](recommendation)
