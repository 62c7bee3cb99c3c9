"""Cache: what lasts between builds (the no-op stamp, sealed files, the code's digest)."""
