"""The serving store: users, scores, alerts, decisions and the audit log (SQLAlchemy 2.0).

SQLite by default (``<data-dir>/serving.db``), PostgreSQL through ``DATABASE_URL``; the schema
is made by Alembic migrations (``migrations/``), never by ``create_all``. Data access is plain
functions taking the session, one module per table family.
"""
