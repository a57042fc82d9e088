"""The domain: SQLAlchemy models and the operations on them. Knows nothing of Slack."""

from models import audit, dashboard, groups, innovations, people, privacy, register, search, standups  # noqa: F401  (register tables)
from models.base import Base

metadata = Base.metadata
