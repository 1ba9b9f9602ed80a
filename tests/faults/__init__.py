"""Fault drills: killed workers, a Redis outage, a database restart, conflicting writes."""
