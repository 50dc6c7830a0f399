"""Content files (quiz banks, reminder texts, holiday schedules): loading and validation."""
