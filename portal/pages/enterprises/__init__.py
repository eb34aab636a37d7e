"""Pages of the enterprise file and of demands gathered by people (issue #22)."""
