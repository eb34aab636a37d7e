"""Pages of the enterprise file (企业台账, 企业档案), 代企业登记诉求, the enterprise picker and 进度查询."""
