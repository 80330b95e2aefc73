"""emrex2: the EMREX 2 consent record (code, PKCE challenge, token, what was consented to), used assertions

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 01:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "emrex2_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref_id", sa.String(length=36), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=11), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=True),
        sa.Column("owner_birth_date", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("qualifications_count", sa.Integer(), nullable=False),
        sa.Column("courses_count", sa.Integer(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=False),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["client_pk"], ["emrex_clients.id"],
                                name=op.f("fk_emrex2_grants_client_pk_emrex_clients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emrex2_grants")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_emrex2_grants_code_hash")),
        sa.UniqueConstraint("ref_id", name=op.f("uq_emrex2_grants_ref_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_emrex2_grants_token_hash")),
    )
    with op.batch_alter_table("emrex2_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emrex2_grants_client_pk"), ["client_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_emrex2_grants_owner_id"), ["owner_id"], unique=False)
    op.create_table(
        "emrex2_assertions",
        sa.Column("jti_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti_hash", name=op.f("pk_emrex2_assertions")),
    )
    with op.batch_alter_table("emrex2_assertions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emrex2_assertions_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("emrex2_assertions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emrex2_assertions_expires_at"))
    op.drop_table("emrex2_assertions")
    with op.batch_alter_table("emrex2_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emrex2_grants_owner_id"))
        batch_op.drop_index(batch_op.f("ix_emrex2_grants_client_pk"))
    op.drop_table("emrex2_grants")
