"""Alembic's revisions (Alembic skips this file), installed as ``icat_api.migrations.versions``."""
