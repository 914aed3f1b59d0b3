"""Wallet delivery: OpenID4VCI offers (codes and access tokens as hashes), nonces, and
VC-API exchanges, so they survive a restart and every process shares them.

Revision ID: 0002_wallets
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_wallets"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oid4vci_offers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("configuration_id", sa.String(128), nullable=False),
        sa.Column("credential", sa.Text, nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("tx_code_hash", sa.String(64), nullable=True),
        sa.Column("tx_code", sa.Text, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("failed_tx_codes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("token_expires_at", sa.Float, nullable=True),
        sa.Column("issued_id", sa.String(512), nullable=True),
        sa.Column("extra", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_oid4vci_offers_tenant", "oid4vci_offers", ["tenant", "created_at"])
    op.create_table(
        "oid4vci_nonces",
        sa.Column("nonce", sa.String(128), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_oid4vci_nonces_expires", "oid4vci_nonces", ["expires_at"])
    op.create_table(
        "vcapi_exchanges",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("workflow_id", sa.String(128), nullable=False),
        sa.Column("challenge", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("variables", sa.Text, nullable=False),
        sa.Column("delete_when_collected", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False, server_default="0"),
        sa.Column("holder", sa.String(512), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("vcapi_exchanges")
    op.drop_index("ix_oid4vci_nonces_expires", "oid4vci_nonces")
    op.drop_table("oid4vci_nonces")
    op.drop_index("ix_oid4vci_offers_tenant", "oid4vci_offers")
    op.drop_table("oid4vci_offers")
