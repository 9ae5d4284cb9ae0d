"""Shared mechanisms: areas, accounts and roles, scoping, audit, encryption, events, errors."""
