"""LabelQA's store: SQLAlchemy 2 models, engine/session setup, repositories, Alembic migrations."""
