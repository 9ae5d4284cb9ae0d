"""The discovery app's models, one module per part of the capability; each is imported here so that
Django finds it: the hidden-poverty list (precomputed), imports and warnings, department
referrals."""

from jiuzhu.discovery.models.hidden import HiddenPovertyEntry, HiddenPovertyRefresh  # noqa: F401
from jiuzhu.discovery.models.imports import *  # noqa: F403
from jiuzhu.discovery.models.referrals import (  # noqa: F401
    DepartmentDesk,
    DepartmentReferral,
    DepartmentReferralEvent,
)
from jiuzhu.discovery.models.warnings import *  # noqa: F403
