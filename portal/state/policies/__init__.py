"""States of the public policy library and of 政策管理."""
