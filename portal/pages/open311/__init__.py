"""Pages of the Open311-style API: 接口密钥 (/admin/api-keys)."""
