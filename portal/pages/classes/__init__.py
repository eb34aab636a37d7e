"""Pages of the classes domain (issue #26): the 类似诉求 panel and 我关注的诉求; 一类问题 (/staff/classes, a
class's page) and 每月一题 (/staff/monthly, the public /monthly)."""
