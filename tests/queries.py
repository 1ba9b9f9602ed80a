"""What query-count tests count: the reads a page or API call makes for its content."""

RATE_LIMIT_TABLE = "aimai_cache"  # the shared rate-limit counts, a table without Redis


def page_reads(queries) -> list[dict]:
    """The captured queries, without the rate-limit cache's (its reads, writes and the
    savepoints around its writes): they are the same for every page."""
    return [
        query
        for query in queries
        if RATE_LIMIT_TABLE not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]
