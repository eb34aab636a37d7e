"""What every domain builds on: errors, role checks and transactions (access), the audit, in-app
notices, paging, text clean-up and the Chinese full-text tokens."""
