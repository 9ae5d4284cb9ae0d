"""Government purchase of services: applications to join the alliance and their screening (before),
projects and quality scores with spot checks (during), and settlement by quality (after)."""
