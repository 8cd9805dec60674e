"""The State class and its handlers as declared: what a user writes."""
