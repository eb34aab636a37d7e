"""State of /admin 节假日."""
