"""The enterprise file (企业台账, 1+1+X) and demands gathered by people: who may see which enterprise
(``directory``), 代企业登记诉求, 走访记录, 座谈会, 需求计划台账 and the public 进度查询."""
