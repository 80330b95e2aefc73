"""Alembic migrations of the institution database schema (one schema for every institution)."""
