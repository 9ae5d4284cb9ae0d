"""The household registry: households, members, changes and the assistance chain."""
