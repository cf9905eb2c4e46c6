"""Use cases that join the store, the connectors and the pure core."""
