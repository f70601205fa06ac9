"""Alembic migrations, run as the owner role by ``masteria migrate`` (see ``runner.py``)."""
