"""The transaction, the lock and the store: how a change to state becomes final, or not."""
