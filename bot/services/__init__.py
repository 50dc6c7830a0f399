"""Use cases shared by handlers and scheduled jobs; they take plain values, not Telegram types."""
