"""States of the enterprise file (企业台账, 企业档案), 代企业登记诉求 and the public 进度查询."""
