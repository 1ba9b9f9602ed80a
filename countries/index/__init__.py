"""The AIMAI engine: pure Python, importable without Django."""
