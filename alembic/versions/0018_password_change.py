"""修改密码 (issue #20): ``user.must_change_password``, set when a password was made by someone other
than its owner (an admin's 重置密码, a staff account an admin created, an account handed over by 账号认领);
while it is set the page guard sends the user to the change page. Existing accounts keep their
passwords without a forced change.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Union

import sqlalchemy as sa

from alembic import op

revision: str = "0018"
down_revision: Union[str, None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMN with a default: recreating user would drop a table everything references.
    op.add_column("user", sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("user", "must_change_password")
