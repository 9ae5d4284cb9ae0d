"""The discovery app's models, one module per part of the capability; each is imported here so that
Django finds it."""

# Department referrals
# Imports and warnings
from jiuzhu.discovery.models.imports import *  # noqa: F403
from jiuzhu.discovery.models.referrals import (  # noqa: E402, F401
    DepartmentDesk,
    DepartmentReferral,
    DepartmentReferralEvent,
)
from jiuzhu.discovery.models.warnings import *  # noqa: F403
