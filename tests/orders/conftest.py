from market_cast import market  # noqa: F401  (the shared cloud-supermarket fixture)
