"""The AIMAI engine: pure Python, importable without Django."""

# Bumped whenever a change to the engine could change a computed number.
ENGINE_VERSION = "1.0"
