"""The WSGI application for the Procfile `web` process (gunicorn). It never runs the scheduler."""

from bot.runners import _settings_or_exit, _start

_settings = _settings_or_exit()
runtime = _start(_settings, apply_migrations=False)  # the Procfile `release` step migrates
application = runtime.wsgi
