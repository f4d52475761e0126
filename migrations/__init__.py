"""The Alembic migrations, installed as ``icat_api.migrations`` (see pyproject.toml)."""
