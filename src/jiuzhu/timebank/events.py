"""Events the time bank publishes (see ``jiuzhu.core.events``)."""

from jiuzhu.core.events import declare

DEPOSIT_CONFIRMED = declare(
    "timebank.deposit_confirmed", "A volunteer's hours were confirmed and deposited."
)
TRANSFER_POSTED = declare(
    "timebank.transfer_posted", "Hours were transferred, donated or redeemed."
)
