"""督办看板 and 统计通报 (with their charts)."""
