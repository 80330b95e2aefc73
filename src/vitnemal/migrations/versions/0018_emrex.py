"""emrex: the EMREX client registry (EMREX 1 and 2), EMREX 1 requests, transfers to clients

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 00:39:45.713607
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "emrex_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.Column("national_id", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emrex_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_emrex_clients_client_id")),
    )
    op.create_table(
        "emrex_client_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["emrex_clients.id"],
            name=op.f("fk_emrex_client_urls_client_pk_emrex_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emrex_client_urls")),
        sa.UniqueConstraint("url", name=op.f("uq_emrex_client_urls_url")),
    )
    with op.batch_alter_table("emrex_client_urls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emrex_client_urls_client_pk"), ["client_pk"], unique=False)

    op.create_table(
        "emrex_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle_hash", sa.String(length=64), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("return_url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_id", sa.String(length=11), nullable=True),
        sa.Column("fetch_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_code", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_pk"], ["emrex_clients.id"], name=op.f("fk_emrex_requests_client_pk_emrex_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emrex_requests")),
        sa.UniqueConstraint("handle_hash", name=op.f("uq_emrex_requests_handle_hash")),
    )
    with op.batch_alter_table("emrex_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emrex_requests_client_pk"), ["client_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_emrex_requests_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "emrex_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=11), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=True),
        sa.Column("owner_birth_date", sa.Date(), nullable=True),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=10), nullable=False),
        sa.Column("data_format", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("elmo", sa.LargeBinary(), nullable=True),
        sa.Column("elmo_sha256", sa.String(length=64), nullable=True),
        sa.Column("qualifications_count", sa.Integer(), nullable=False),
        sa.Column("courses_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"], ["emrex_clients.id"], name=op.f("fk_emrex_transfers_client_pk_emrex_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emrex_transfers")),
        sa.UniqueConstraint("public_id", name=op.f("uq_emrex_transfers_public_id")),
    )
    with op.batch_alter_table("emrex_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emrex_transfers_client_pk"), ["client_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_emrex_transfers_elmo_sha256"), ["elmo_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_emrex_transfers_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_emrex_transfers_pdf_sha256"), ["pdf_sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("emrex_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emrex_transfers_pdf_sha256"))
        batch_op.drop_index(batch_op.f("ix_emrex_transfers_owner_id"))
        batch_op.drop_index(batch_op.f("ix_emrex_transfers_elmo_sha256"))
        batch_op.drop_index(batch_op.f("ix_emrex_transfers_client_pk"))

    op.drop_table("emrex_transfers")
    with op.batch_alter_table("emrex_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emrex_requests_expires_at"))
        batch_op.drop_index(batch_op.f("ix_emrex_requests_client_pk"))

    op.drop_table("emrex_requests")
    with op.batch_alter_table("emrex_client_urls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emrex_client_urls_client_pk"))

    op.drop_table("emrex_client_urls")
    op.drop_table("emrex_clients")
