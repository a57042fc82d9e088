"""A second baseline of bench/ack_latency.py: bare Bolt plus the database work of `group list`.

The same two reads the bot's `group list` makes (the person, then the active groups with their
member counts), as SQLAlchemy Core statements on a pooled connection of the same engine settings
(models.db.make_engine) in a read transaction, and an ack with the groups' handles: what the framework and the database
cost together, without the bot's own layers (sessions, services, rendering, languages).
"""

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import bindparam, select

from models.db import READ_ONLY, make_engine
from models.groups import _LIST_GROUPS
from models.people import Member

# A read transaction, as the bot's reads are (on SQLite: a deferred BEGIN, no write lock).
engine = make_engine(os.environ["DATABASE_URL"]).execution_options(**{READ_ONLY: True})
MEMBER = select(Member.__table__).where(Member.__table__.c.id == bindparam("user_id"))
app = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
)


@app.command("/spindle")
def spindle(ack, command):
    with engine.begin() as conn:
        conn.execute(MEMBER, {"user_id": command["user_id"]}).first()
        handles = [row[0] for row in conn.execute(_LIST_GROUPS)]
    ack(response_type="ephemeral", text="Action groups: " + ", ".join(handles))


application = SlackRequestHandler(app)
