"""The relational side: schema, engine, migrations and repositories (SQLAlchemy Core)."""
