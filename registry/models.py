"""The public, append-only transparency registry (to come)."""
