"""Embedded components intake can run itself on one machine."""
