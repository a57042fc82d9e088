"""Block Kit, built in one place per feature."""
