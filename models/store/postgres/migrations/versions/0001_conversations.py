"""Conversations, their messages, drafts and owners; full-text search over suffixes.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP, TSVECTOR

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Search keeps the JSON store's meaning: a query word matches inside any word of the text (the text
# split at whitespace, folded in Python as the JSON store folds it), any case, any accents. Each
# word, through unaccent and the 'simple' dictionary, is stored with every suffix, so that a prefix
# query (word:*) over them finds a word anywhere inside another, through a GIN index. Lexemes are
# made from the words as they are (no parser), so punctuation inside a word still has to match.
SEARCH_VECTOR = r"""
CREATE FUNCTION bnagpt_search_vector(words text[]) RETURNS tsvector
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT substr(lexeme, start))), ''::tsvector)
    FROM unnest(words) AS word,
         LATERAL (SELECT coalesce((ts_lexize('simple', unaccent(word)))[1], word) AS lexeme) AS folded,
         generate_series(1, length(lexeme)) AS start
    WHERE octet_length(lexeme) < 2047
$$
"""
# tsquery's own quoting (a backslash escapes, a quote is doubled), not SQL's quote_literal.
SEARCH_QUERY = r"""
CREATE FUNCTION bnagpt_search_query(words text[]) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT string_agg('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''':*', ' & ')::tsquery
    FROM unnest(words) AS word,
         LATERAL (SELECT coalesce((ts_lexize('simple', unaccent(word)))[1], word) AS lexeme) AS folded
$$
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(SEARCH_VECTOR)
    op.execute(SEARCH_QUERY)
    op.create_table(
        "conversations",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("updated", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("message_count", sa.Integer, nullable=False),
        sa.Column("model", sa.Text),
        sa.Column("assistant", JSONB),
        sa.Column("search", TSVECTOR, nullable=False),
        sa.UniqueConstraint("owner", "name", name="conversations_owner_name"),
    )
    # The listing: one owner's conversations newest first, then by name.
    op.create_index("conversations_newest", "conversations", ["owner", sa.text("updated DESC"), "name"])
    op.create_index("conversations_search", "conversations", ["search"], postgresql_using="gin")
    op.create_table(
        "messages",
        sa.Column("conversation_id", sa.BigInteger, sa.ForeignKey("conversations.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("digest", sa.LargeBinary, nullable=False),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_table(
        "drafts",
        sa.Column("owner", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("page", sa.Text, nullable=False),
        sa.Column("updated", sa.Text, nullable=False),
        sa.Column("updated_at", TIMESTAMP(timezone=True), nullable=False),
        sa.Column("assistant", JSONB),
        sa.Column("messages", JSONB, nullable=False),
    )
    op.create_table(
        "owners",
        sa.Column("owner", sa.Text, primary_key=True),
        sa.Column("profile", JSONB, nullable=False),
    )


def downgrade() -> None:
    for table in ("owners", "drafts", "messages", "conversations"):
        op.drop_table(table)
    op.execute("DROP FUNCTION bnagpt_search_query(text[])")
    op.execute("DROP FUNCTION bnagpt_search_vector(text[])")
