"""The editors' tool. Published releases and their observations are read-only here, and
publication goes through the same service as everywhere else.

One module per part of the desk; importing them registers their admins.
"""

from countries.admin import methodology, reference, releases  # noqa: F401
