"""Storage: one SQLite `Database` and thin repositories over it."""

from bot.storage.database import Database, DatabaseError

__all__ = ["Database", "DatabaseError"]
