"""State stores: SQLite by default, Azure Table Storage in the cloud."""
