"""gunicorn settings for the Procfile `web` process."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "16"))
# Load the app once in the master: a configuration error stops the start with one line.
preload_app = True
graceful_timeout = 25  # SIGTERM: requests in flight get this long to finish
timeout = 30
accesslog = None
limit_request_field_size = 8190


def post_fork(server, worker):
    # Connections opened in the master must not be shared across processes.
    from bot.wsgi import runtime

    runtime.db.engine.dispose(close=False)
