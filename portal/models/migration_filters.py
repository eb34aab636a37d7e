"""Objects that live in the database but not in SQLModel metadata (full-text indexes, PostgreSQL's
pattern index on demand codes, migration 0029), so that autogenerate and the migration test leave them alone."""

from __future__ import annotations

FULLTEXT_PREFIXES = ("demand_fts", "policy_fts")
UNMODELLED_INDEXES = {
    "ix_demand_search_tsv",
    "ix_policy_search_tsv",
    "ix_policy_search_windows",
    "ix_demand_code_pattern",
}
FULLTEXT_COLUMNS = {"search_tsv", "search_windows"}  # PostgreSQL's stored generated tsvectors (0004, 0012, 0028)


def include_name(name, type_, parent_names) -> bool:
    if type_ == "table" and name and name.startswith(FULLTEXT_PREFIXES):
        return False
    if type_ == "index" and name in UNMODELLED_INDEXES:
        return False
    if type_ == "column" and name in FULLTEXT_COLUMNS:
        return False
    return True
