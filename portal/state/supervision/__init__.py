"""States of /staff/supervision, /staff/reports and /admin 时限规则."""
