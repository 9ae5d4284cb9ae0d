"""Identity numbers the discovery tests use (valid check characters, born in the past)."""

HEAD_ID = "320113197003040010"
STRANGER_ID = "320113198506070021"
