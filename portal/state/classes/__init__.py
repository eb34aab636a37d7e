"""States of the classes domain (issue #26): 类似诉求 while a demand is written, 我关注的诉求; 一类问题
(/staff/classes, a class's page) and 每月一题 (/staff/monthly, the public /monthly)."""
