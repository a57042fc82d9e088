"""Use cases, one module per feature.

A service function takes a `UnitOfWork`, the acting person's Slack id and typed input; it owns
the transaction, calls the domain (models/), talks to Slack only through the `Messenger` port
(services/ports.py), and returns a plain result that handlers render. A slash command, a
button and a scheduler tick reach the same function, so a rule is written once.
"""
