"""States of /admin: staff accounts, account actions, units, the catalogue, the audit log."""
