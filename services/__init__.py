"""Use cases per feature: each owns its transaction and calls the domain (models/)."""
