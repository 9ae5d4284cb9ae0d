"""The time bank's periodic job: unconfirmed deposits go to the provider."""

from jiuzhu.core.jobs import periodic
from jiuzhu.timebank.services.deposits import deposits_escalate


@periodic("timebank.escalate_deposits", 3600)
def escalate_deposits() -> int:
    return deposits_escalate()
