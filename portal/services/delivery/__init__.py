"""Notices outside the portal (issue #27): sending the outbox by e-mail and SMS, preferences, the admin view."""
