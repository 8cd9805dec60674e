"""Components and views: UI trees, and a displayed tree as its own widget model."""
