"""The JSON API under /api/v1 (bearer tokens, scopes, per-token limits) and its offline
documentation at /api/docs."""
