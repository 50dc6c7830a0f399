"""The Telegram-facing layer: handlers, keyboards, callback data; the only place PTB types live."""
