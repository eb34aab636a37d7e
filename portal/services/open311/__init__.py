"""The Open311-style API (issue #27): keys of integrating systems, the GeoReport reads, POST through the intake."""
