"""RQ jobs and the worker entry point. Jobs take ids, re-read state, and are idempotent."""
