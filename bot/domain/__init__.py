"""The pure domain core: no FastAPI, no RQ, no database sessions."""
