"""States shared by many kernels: values in Redis, a cross-kernel lock, and a change feed."""
