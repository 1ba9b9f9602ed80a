"""The yardsticks of the HTTP bench, one WSGI app served by the same gunicorn as the site.

/floor/<name>: an answer the site gave (status, a few headers and the very same body bytes),
served from memory: what gunicorn itself costs for those bytes.
/raw/scores: the scores list's first page read with the plain driver (sqlite3 or psycopg) and
written with orjson: the same rows and fields the API sends, with no framework.

BENCH_FLOOR_DIR names the folder of <name>.json (status and headers) and <name>.body files;
BENCH_RAW_DB the database (a SQLite path or a postgres:// URL), BENCH_SCORE_SET the digest.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import orjson

ANSWERS = {}
for meta in Path(os.environ["BENCH_FLOOR_DIR"]).glob("*.json"):
    answer = json.loads(meta.read_text())
    body = meta.with_suffix(".body").read_bytes()
    headers = [(k, v) for k, v in answer["headers"]] + [("Content-Length", str(len(body)))]
    ANSWERS[f"/floor/{meta.stem}"] = (answer["status"], headers, body)

RAW_SQL = """SELECT c.iso3, c.name, s.capability, s.solidarity, s.burden, s.aimai,
 s.aimai_without_imputation, s.rank, s.rank_low, s.rank_high, s.rank_median, s.classification,
 s.concentrated, s.coverage, s.confidence, s.observed_weight, s.median_age, s.imputed
 FROM countries_score s JOIN countries_country c ON c.id = s.country_id
 WHERE s.score_set_id = {mark} ORDER BY s.rank ASC NULLS LAST, c.name LIMIT 100"""
SCORE_SET_SQL = "SELECT id FROM countries_scoreset WHERE digest = {mark}"
# when the API named no digest: the newest score set
NEWEST_SQL = "SELECT score_set_id FROM countries_score ORDER BY id DESC LIMIT 1"
COUNT_SQL = "SELECT count(*) FROM countries_score WHERE score_set_id = {mark}"
_connection = []


def raw_scores() -> bytes:
    if not _connection:
        url = os.environ["BENCH_RAW_DB"]
        if url.startswith("postgres"):
            import psycopg

            _connection.append((psycopg.connect(url, autocommit=True), "%s"))
        else:
            _connection.append((sqlite3.connect(url, check_same_thread=False), "?"))
    db, mark = _connection[0]
    cursor = db.cursor()
    digest = os.environ["BENCH_SCORE_SET"]
    if digest:
        cursor.execute(SCORE_SET_SQL.format(mark=mark), (digest,))
    else:
        cursor.execute(NEWEST_SQL)
    score_set = cursor.fetchone()[0]
    cursor.execute(COUNT_SQL.format(mark=mark), (score_set,))
    count = cursor.fetchone()[0]
    cursor.execute(RAW_SQL.format(mark=mark), (score_set,))
    results = [
        {
            "country": r[0],
            "country_name": r[1],
            "capability": r[2],
            "solidarity": r[3],
            "burden": r[4],
            "aimai": r[5],
            "aimai_without_imputation": r[6],
            "rank": r[7],
            "rank_interval": None if r[8] is None else [r[8], r[9]],
            "rank_median": r[10],
            "classification": r[11],
            "concentrated": bool(r[12]),
            "coverage": r[13],
            "confidence": {"grade": r[14], "observed_weight": r[15], "median_age": r[16]},
            "imputed": r[17] if isinstance(r[17], list) else orjson.loads(r[17]),
        }
        for r in cursor.fetchall()
    ]
    return orjson.dumps({"score_set": {"digest": digest}, "count": count, "results": results})


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/raw/scores":
        body = raw_scores()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]
    status, headers, body = ANSWERS[path]
    start_response(status, headers)
    return [body]
