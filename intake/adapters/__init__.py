"""Adapters: the ports implemented on real components (S3 via boto3, SQL databases)."""
