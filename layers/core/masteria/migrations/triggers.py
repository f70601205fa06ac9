"""Statement-level triggers with transition tables, used by migrations that keep a table derived from another."""

from __future__ import annotations

from alembic import op

# transition tables allow one event per trigger
_EVENTS = (
    ("INSERT", "NEW TABLE AS new_rows"),
    ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("DELETE", "OLD TABLE AS old_rows"),
)


def create_statement_triggers(table: str, function: str) -> None:
    """``function()`` after every insert, update and delete statement on ``table``, with its rows as ``new_rows``
    and ``old_rows``; the triggers are named ``<function>_<event>``."""
    for event, tables in _EVENTS:
        op.execute(
            f"CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {table}"
            f" REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def drop_statement_triggers(table: str, function: str) -> None:
    for event, _ in _EVENTS:
        op.execute(f"DROP TRIGGER {function}_{event.lower()} ON {table}")
