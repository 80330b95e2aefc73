"""portal: institution-signed diplomas shared with a share; the node's log names a diploma it handed out

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_share_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("institution_name", sa.String(length=300), nullable=False),
        sa.Column("qualification_key", sa.String(length=120), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["share_id"], ["portal_shares.id"],
                                name=op.f("fk_portal_share_documents_share_id_portal_shares"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_share_documents")),
        sa.UniqueConstraint("share_id", "number", name=op.f("uq_portal_share_documents_share_id")),
    )
    with op.batch_alter_table("portal_share_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_share_documents_share_id"), ["share_id"], unique=False)
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_column("document_id")
    with op.batch_alter_table("portal_share_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_share_documents_share_id"))
    op.drop_table("portal_share_documents")
