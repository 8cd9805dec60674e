"""Values and tracking: JSON for the wire, patch ops, type checks, and tracked containers."""
