"""Ingest: resolve a source to a playlist, follow it, and hand on segments with their stream times."""
