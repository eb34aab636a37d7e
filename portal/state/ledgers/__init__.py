"""States of 导出台账 and 导入台账 on /staff/reports."""
