"""PostgreSQL: policy phrase search answered by its index (issue #25). ``policy.search_windows`` holds,
for every position of the stored search tokens, the window of that token and the next two ("贷款 款贴
贴息 ") as one lexeme, with a GIN index. A phrase of up to three tokens (a Chinese word of up to four
characters, “2026年”) is then a prefix of a window, which the GIN answers exactly: the count no longer
reads every match's stored tsvector to check positions (`bench/bench_policies.py`, README). Longer
phrases use their windows as a candidate set and keep the positional check. SQLite (FTS5) is unchanged.

The column has no statistics, on purpose: with them the planner sees a word in half the library and
scans the table, reading each row's windows from TOAST (it does not count that cost): 400 ms against
12 ms through the index for a 4-character word.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from typing import Union

from alembic import op

revision: str = "0028"
down_revision: Union[str, None] = "0027"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# A token longer than the longest search query (100 characters) can never be asked for: it becomes "~", so
# no window outgrows a lexeme (2 047 bytes). A tsvector holds at most 1 MiB (a window of Chinese takes 25
# bytes): a policy whose windows fit in 1 000 000 bytes (about 40 000 tokens of Chinese) keeps them all, and
# its short phrases are found wherever SQLite finds them (longer ones need ``search_tsv``'s positions too,
# which end at 16 383). A longer one keeps every distinct token ("融资 ") first, then
# its windows in document order while they fit: a word is found anywhere, and a phrase within the first
# 16 383 positions (where ``search_tsv`` stops finding phrases) whenever the distinct tokens take < 590 kB.
_WINDOWS_FUNCTION = """
CREATE FUNCTION policy_token_windows(tokens text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
WITH token AS (
    SELECT CASE WHEN length(t) > 100 THEN '~' ELSE t END AS t, n
    FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS u(t, n)
    WHERE t <> ''
), lexeme AS (
    SELECT t || ' ' AS lexeme, 0 AS rank, n FROM token
    UNION ALL
    SELECT concat_ws(' ', t, lead(t, 1) OVER w, lead(t, 2) OVER w) || ' ', 1, n
    FROM token WINDOW w AS (ORDER BY n)
), first_seen AS (
    SELECT lexeme, rank, min(n) AS n FROM lexeme GROUP BY lexeme, rank
), sized AS (
    SELECT lexeme, rank, sum(octet_length(lexeme) + 4) OVER (ORDER BY rank, n, lexeme) AS size,
        sum(octet_length(lexeme) + 4) FILTER (WHERE rank = 1) OVER () AS windows_size
    FROM first_seen
)
SELECT array_to_tsvector(coalesce(array_agg(DISTINCT lexeme) FILTER (
    WHERE CASE WHEN windows_size <= 1000000 THEN rank = 1 ELSE size <= 1000000 END
), '{}'))
FROM sized
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_WINDOWS_FUNCTION)
    op.execute(
        "ALTER TABLE policy ADD COLUMN search_windows tsvector "
        "GENERATED ALWAYS AS (policy_token_windows(search_tokens)) STORED, "
        "ALTER COLUMN search_windows SET STATISTICS 0"
    )
    op.execute("CREATE INDEX ix_policy_search_windows ON policy USING gin (search_windows)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_policy_search_windows")
    op.execute("ALTER TABLE policy DROP COLUMN IF EXISTS search_windows")
    op.execute("DROP FUNCTION IF EXISTS policy_token_windows(text)")
