"""Mutual-aid compacts: organisations, offers, needs and the compacts they sign (to come)."""
