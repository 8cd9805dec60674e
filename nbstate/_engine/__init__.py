"""Running state: error reports, background tasks, and events."""
