"""The enterprise's profile and /staff/enterprises/claims (企业账号认领)."""
