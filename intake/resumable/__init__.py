"""Resumable uploads (tus): state in the bucket and the database, never on a node."""
