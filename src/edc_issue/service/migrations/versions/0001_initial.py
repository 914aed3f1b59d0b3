"""The first schema: shared settings, status lists, issuances, challenges, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "service_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "status_lists",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("local_id", sa.String(64), nullable=False),
        sa.Column("url", sa.String(512), nullable=False, unique=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=True),
        sa.Column("full", sa.Boolean, nullable=False),
        sa.Column("allocated_count", sa.Integer, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("credential", sa.Text, nullable=False),
        sa.Column("etag", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant", "local_id", name="uq_status_lists_tenant_local"),
        sa.UniqueConstraint("tenant", "purpose", "seq", name="uq_status_lists_tenant_seq"),
    )
    op.create_table(
        "issuances",
        sa.Column("pk", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("credential_id", sa.String(512), nullable=True),
        sa.Column("digest", sa.String(80), nullable=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("client", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("credential", sa.Text, nullable=True),
    )
    op.create_index("ix_issuances_tenant_credential", "issuances", ["tenant", "credential_id"])
    op.create_table(
        "status_entries",
        sa.Column("list_pk", sa.Integer, sa.ForeignKey("status_lists.pk"), primary_key=True),
        sa.Column("status_index", sa.Integer, primary_key=True),
        sa.Column("issuance_pk", _BIGINT, sa.ForeignKey("issuances.pk"), nullable=True),
    )
    op.create_index("ix_status_entries_issuance", "status_entries", ["issuance_pk"])
    op.create_table(
        "challenges",
        sa.Column("challenge", sa.String(128), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("pk", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(512), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_tenant_at", "audit_log", ["tenant", "at"])


def downgrade() -> None:
    for index, table in (("ix_audit_log_tenant_at", "audit_log"),
                         ("ix_status_entries_issuance", "status_entries"),
                         ("ix_issuances_tenant_credential", "issuances")):
        op.drop_index(index, table_name=table)
    for table in ("audit_log", "challenges", "status_entries", "issuances", "status_lists",
                  "service_meta"):
        op.drop_table(table)
