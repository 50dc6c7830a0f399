"""Storage: one SQLite `Database` and thin repositories over it."""

from bot.storage.database import Database, DatabaseError, WriteConflict

__all__ = ["Database", "DatabaseError", "WriteConflict"]
