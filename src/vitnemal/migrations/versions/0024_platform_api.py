"""emrex: the platforms' API (client scopes, access tokens from client credentials) and signed webhooks

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("emrex_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("webhook_url", sa.String(length=500), nullable=True))
    with op.batch_alter_table("emrex_clients", schema=None) as batch_op:
        batch_op.alter_column("scopes", server_default=None)
    op.create_table(
        "emrex_webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["client_pk"], ["emrex_clients.id"],
                                name=op.f("fk_emrex_webhook_deliveries_client_pk_emrex_clients"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emrex_webhook_deliveries")),
    )
    op.create_index(op.f("ix_emrex_webhook_deliveries_client_pk"), "emrex_webhook_deliveries", ["client_pk"])
    op.create_index(op.f("ix_emrex_webhook_deliveries_next_at"), "emrex_webhook_deliveries", ["next_at"])
    op.create_table(
        "emrex2_platform_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_pk"], ["emrex_clients.id"],
                                name=op.f("fk_emrex2_platform_tokens_client_pk_emrex_clients"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_emrex2_platform_tokens")),
    )
    op.create_index(op.f("ix_emrex2_platform_tokens_client_pk"), "emrex2_platform_tokens", ["client_pk"])
    op.create_index(op.f("ix_emrex2_platform_tokens_expires_at"), "emrex2_platform_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_table("emrex2_platform_tokens")
    op.drop_table("emrex_webhook_deliveries")
    with op.batch_alter_table("emrex_clients", schema=None) as batch_op:
        batch_op.drop_column("webhook_url")
        batch_op.drop_column("scopes")
