"""Running the portal: the scheduler's record of its job runs (read by /api/health)."""
