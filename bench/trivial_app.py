"""The floor of bench/ack_latency.py: a WSGI app that answers every request with a static ack.

No signature check, no framework: what gunicorn itself costs per request under the Procfile settings.
"""

import json

ACK = json.dumps({"response_type": "ephemeral", "text": "Action groups: data-ethics, digital-ids, open-data"}).encode()


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(ACK)))])
    return [ACK]
