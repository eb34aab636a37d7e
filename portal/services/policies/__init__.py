"""惠企政策: the public library (search, a policy's page, recommendations) and the editors' work (write,
publish, withdraw)."""
