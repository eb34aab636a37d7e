"""导出台账 and 导入台账 cards of /staff/reports."""
