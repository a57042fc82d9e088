"""The baseline of bench/ack_latency.py: a bare Bolt app that acks a static text.

Served by gunicorn with the same settings as the Procfile `web` process.
"""

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
)


@app.command("/spindle")
def spindle(ack):
    ack(response_type="ephemeral", text="Action groups: data-ethics, digital-ids, open-data")


application = SlackRequestHandler(app)
