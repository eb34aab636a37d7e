"""States of login, registration, the enterprise's profile and 账号认领."""
