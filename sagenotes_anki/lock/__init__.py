"""Lock: the lock file beside the notes, and what changed since the last build."""
