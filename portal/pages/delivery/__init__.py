"""Pages of notices outside the portal (issue #27)."""
