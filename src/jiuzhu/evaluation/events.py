"""Events the evaluation app publishes (see ``jiuzhu.core.events``)."""

from jiuzhu.core.events import declare

# Projects and settlement
STATEMENT_SUBMITTED = declare("statement.submitted", "A provider submitted its draft statement.")
STATEMENT_APPROVED = declare("statement.approved", "A statement was approved and locked.")
STATEMENT_PAID = declare("statement.paid", "A statement was marked paid.")
