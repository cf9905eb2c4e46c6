"""Queries and writes against the store, one module per resource; routes and services call these."""
