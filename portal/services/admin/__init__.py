"""The admin's reference data: the unit tree and the dispatch catalogue (派单目录)."""
