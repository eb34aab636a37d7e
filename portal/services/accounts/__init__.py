"""People: who is acting, sessions and login throttles, enterprise registration, staff accounts,
account administration and 账号认领, and what each role may open."""
