"""Contact search by name and email that row-level security lets use an index (issue 20). Under RLS PostgreSQL
evaluates a query's conditions that are not leakproof (``LIKE``, ``ILIKE``, trigram matches) only after the
tenant's, so the trigram index over the contacts' text was never used: every search read the company's contacts
one by one. The words of a contact's name and email are kept in ``contact_terms`` (statement triggers on
``contacts``), and a search is a range scan of those terms by prefix: comparisons of text are leakproof. The
trigram index goes: it cost every import and served nothing. (Every tail of the phone's digits as terms too made
imports half as fast: phone fragments are still matched by reading the phones.)

Revision ID: 0133
Revises: 0132
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.migrations.columns import UUID, company_column
from masteria.migrations.rls import enable_tenant_rls
from masteria.migrations.triggers import create_statement_triggers, drop_statement_triggers

revision = "0133"
down_revision = "0132"
branch_labels = None
depends_on = None

# Lower case without accents: the Latin letters with a diacritic (Latin-1 and Latin Extended-A, either case: under
# a "C" locale lower() changes only A to Z) as their base letter, lower case. Fixed here: a migration's function
# must not change when Python's Unicode tables do.
_ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃń"
    "ŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž"
)
_PLAIN = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnn"
    "nnnnoooooorrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzz"
)
# What separates words: ASCII spaces and punctuation (whatever the database's locale says of other characters).
_SEPARATORS = r"[][\\ \t\n\r!-/:-@^-`{-~]+"
assert len(_ACCENTED) == len(_PLAIN)

_INSERT = (
    "INSERT INTO contact_terms (company_id, term, contact_id)"
    " SELECT r.company_id, term, r.id FROM {rows} r, contact_search_terms(r.name, r.email) AS term"
    " ON CONFLICT DO NOTHING"
)
_DELETE = (
    "DELETE FROM contact_terms t USING"
    " (SELECT r.company_id, r.id, term FROM {rows} r, contact_search_terms(r.name, r.email) AS term) AS gone"
    " WHERE t.company_id = gone.company_id AND t.term = gone.term AND t.contact_id = gone.id"
)
_CHANGED = (
    "(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id"
    " WHERE (n.name, n.email) IS DISTINCT FROM (o.name, o.email))"
)

FUNCTIONS = f"""
CREATE FUNCTION contact_search_words(value text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(
    SELECT DISTINCT w FROM regexp_split_to_table(
        translate(lower(coalesce(value, '')), '{_ACCENTED}', '{_PLAIN}'), '{_SEPARATORS}') AS w
    WHERE w <> '');

CREATE FUNCTION contact_search_terms(name text, email text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'w' || w FROM unnest(contact_search_words(coalesce(name, '') || ' ' || coalesce(email, ''))) AS w
$$;

-- What a search for ``q`` looks up: for each of its words, the range of terms that begin with it; a contact
-- matches when it has a term in the range of every word.
CREATE FUNCTION contact_search_ranges(q text) RETURNS TABLE (lo text, hi text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 3 AS $$
    SELECT 'w' || w, 'w' || w || chr(1114111) FROM unnest(contact_search_words(q)) AS w
$$;

CREATE FUNCTION contacts_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_INSERT.format(rows="new_rows")};
    ELSIF TG_OP = 'DELETE' THEN
        {_DELETE.format(rows="old_rows")};
    ELSE  -- only the contacts whose name or email changed (not, say, the time of their last message)
        {_DELETE.format(rows=_CHANGED.format(side="o"))};
        {_INSERT.format(rows=_CHANGED.format(side="n"))};
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "contact_terms",
        company_column(),
        sa.Column("term", sa.Text(collation="C"), nullable=False),
        sa.Column("contact_id", UUID, nullable=False),
        sa.PrimaryKeyConstraint("company_id", "term", "contact_id", name="pk_contact_terms"),
    )
    op.execute(FUNCTIONS)
    # the contacts there are: their terms once (read as their owner, every company's)
    op.execute("ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "INSERT INTO contact_terms (company_id, term, contact_id)"
        " SELECT c.company_id, term, c.id FROM contacts c, contact_search_terms(c.name, c.email) AS term"
    )
    op.execute("ALTER TABLE contacts FORCE ROW LEVEL SECURITY")
    enable_tenant_rls("contact_terms")
    create_statement_triggers("contacts", "contacts_terms")
    op.drop_index("ix_contacts_search_trgm", table_name="contacts")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX ix_contacts_search_trgm ON contacts USING gin"
        " ((coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || phone) gin_trgm_ops)"
        " WITH (gin_pending_list_limit = 32768)"
    )
    drop_statement_triggers("contacts", "contacts_terms")
    op.execute("DROP FUNCTION contacts_terms()")
    op.execute("DROP FUNCTION contact_search_ranges(text)")
    op.execute("DROP FUNCTION contact_search_terms(text, text)")
    op.execute("DROP FUNCTION contact_search_words(text)")
    op.drop_table("contact_terms")
