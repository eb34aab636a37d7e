"""States of the enterprise file (企业台账, 企业档案), 代企业登记诉求, the public 进度查询, and of demands
gathered by people: 走访记录, 座谈会, 需求计划台账 (issue #22)."""
