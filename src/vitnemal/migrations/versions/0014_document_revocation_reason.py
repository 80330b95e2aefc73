"""issued documents: who revoked a document and why

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.drop_column("revoked_reason")
        batch_op.drop_column("revoked_by")
