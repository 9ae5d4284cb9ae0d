"""Pure computation of the time bank: the ledger's rules (no Django)."""
