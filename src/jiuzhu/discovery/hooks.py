"""What the discovery app tells earlier apps, through the functions they declare (registered
from ``AppConfig.ready``).

# Department referrals
The plan page shows each material recommendation's live department referral, and refuses a
hand-set status where a department on the platform handles the kind
(``assessment.material_referrals``); the hidden-poverty list gets the assessment's evidence.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jiuzhu.assessment.material_referrals import (
    register_material_managed,
    register_material_referrals,
)
from jiuzhu.discovery.selectors.hidden import (
    deprived_under_current_framework,
    open_warnings,
    register_evidence_source,
)
from jiuzhu.discovery.selectors.referrals import material_managed, material_referrals_for

register_material_referrals(material_referrals_for)
register_material_managed(material_managed)
register_evidence_source(
    "assessment", gettext_lazy("Six-dimension assessment"), deprived_under_current_framework
)
register_evidence_source("warnings", gettext_lazy("Early warnings"), open_warnings)
