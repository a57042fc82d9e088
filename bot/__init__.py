"""The composition root: settings, the app factory, runners and the scheduler."""
