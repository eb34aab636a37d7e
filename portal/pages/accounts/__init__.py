"""The enterprise's profile and /staff/enterprises."""
