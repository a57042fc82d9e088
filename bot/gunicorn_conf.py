"""gunicorn settings for the Procfile `web` process."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"
worker_class = "gthread"
# One process per core and one more: with Python's interpreter lock, processes, not threads, use
# the cores (bench.soak on 2 cores: 3x8 served 157 requests/s at p95 248 ms, 2x16 120/s at 298 ms).
# At most 4 by default: each holds up to 15 database connections (models/db.py), and a big host
# must not exhaust PostgreSQL's default 100; set WEB_CONCURRENCY to go beyond.
workers = int(os.environ.get("WEB_CONCURRENCY") or min((os.cpu_count() or 1) + 1, 4))
# Few threads: a request holds one only until its ack (the work after it runs in the app's own
# pools), and every extra thread is one more for the interpreter lock, which a transaction holding
# SQLite's one write lock must win back after each statement. bench.soak, 100,000 innovations,
# 3 workers, threads 8/4/3/2: SQLite 148/164/176/175 requests/s at p95 358/291/264/276 ms;
# PostgreSQL, bound by this machine's 2 cores, much the same (3x8 129/s at 325 ms, 3x3 128/s at 340).
threads = int(os.environ.get("WEB_THREADS", "3"))
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
