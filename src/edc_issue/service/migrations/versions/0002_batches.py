"""Batch jobs: what was submitted (template, data file, options), who runs it (the claim
and its heartbeat), its progress, and when finished its report and outputs.

A branch of its own from 0001 (the service migrates every head).

Revision ID: 0002_batches
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_batches"
down_revision = "0001"
branch_labels = ("batches",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("data_name", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("total", sa.Integer, nullable=True),
        sa.Column("processed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("issued", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("report", sa.Text, nullable=True),
        sa.Column("outputs", sa.LargeBinary, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_batch_jobs_state_created", "batch_jobs", ["state", "created_at"])
    op.create_index("ix_batch_jobs_tenant", "batch_jobs", ["tenant", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_batch_jobs_tenant", "batch_jobs")
    op.drop_index("ix_batch_jobs_state_created", "batch_jobs")
    op.drop_table("batch_jobs")
