"""Pages of 一类问题 (/staff/classes, a class's page) and 每月一题 (/staff/monthly, the public /monthly),
issue #26."""
