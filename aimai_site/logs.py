"""Log lines an operator can search: each carries the id of the request it belongs to (and of
the request that queued a task, in the task's lines), as plain text or one JSON object a line.

Loaded by the LOGGING setting before the apps are ready: nothing here imports a model.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

# the request (or the request that queued the running task); "" outside any
request_id: ContextVar[str] = ContextVar("request_id", default="")

# an incoming X-Request-ID is kept only when it is a short plain token: it goes into every log
# line and a response header, so no spaces, quotes, newlines or markup
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(incoming: str | None) -> str:
    """The caller's id when it is a safe short token (a proxy's or a load balancer's), else a
    new one."""
    if incoming and SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (`-` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, and
    the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get() or "-",
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


_record_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs) -> logging.LogRecord:
    # on every record, whichever handler (or test capture) reads it
    record = _record_factory(*args, **kwargs)
    record.request_id = request_id.get() or "-"
    return record


if getattr(_record_factory, "__name__", "") != _record_with_request_id.__name__:
    logging.setLogRecordFactory(_record_with_request_id)


class RequestIdMiddleware:
    """Gives each request an id (the caller's X-Request-ID when it is a safe short token),
    for its log lines and the tasks it queues, and echoes it in the response's X-Request-ID."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id_from(request.headers.get("x-request-id"))
        request.request_id = rid
        # kept until request_finished (`request_done`): Django logs a 4xx or 5xx after the
        # middleware has returned
        request_id.set(rid)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


def request_done(**kwargs) -> None:
    """request_finished: the thread's next request, or anything between, has no id."""
    request_id.set("")


# --- Celery: the id travels in the task message's headers --------------------------------

TASK_HEADER = "request_id"
_task_tokens: dict[str, object] = {}


def task_publishing(headers=None, **kwargs) -> None:
    """before_task_publish: the queuing request's id goes into the message."""
    rid = request_id.get()
    if rid and headers is not None:
        headers.setdefault(TASK_HEADER, rid)


def task_starting(task_id=None, task=None, **kwargs) -> None:
    """task_prerun: the task's log lines carry the id it was queued with. A task run in-process
    (eager) keeps the id of the request running it; in a worker, a task queued outside any
    request has none."""
    if task is None or task_id is None:
        return
    if task.request.is_eager:
        return
    rid = task.request.get(TASK_HEADER) or ""
    if not (isinstance(rid, str) and SAFE_REQUEST_ID.fullmatch(rid)):
        rid = ""
    _task_tokens[task_id] = request_id.set(rid)


def task_finished(task_id=None, **kwargs) -> None:
    """task_postrun: the worker's next task starts without this one's id."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context: nothing of this task's is left there
            request_id.set("")
