"""Attached files: each owner's images and documents, by SHA-256 digest, in the database.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TIMESTAMP

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attached_files",
        sa.Column("owner", sa.Text, primary_key=True),
        sa.Column("digest", sa.Text, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("search_index", sa.LargeBinary),  # a document's cached BM25 index (derived)
        sa.Column("put_at", TIMESTAMP(timezone=True), nullable=False),  # a fresh upload is never collected
    )


def downgrade() -> None:
    op.drop_table("attached_files")
