"""The service directory in Open Referral's Human Services Data Specification (HSDS 3.0 JSON):
providers as organizations, the catalogue items each offers as services (docs/hsds.md)."""
