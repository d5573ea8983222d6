"""State: the SQLite and PostgreSQL stores, reports, API keys, the check log, the registry files and their rollback floor."""
