"""The domain error every service raises; views, the admin and the API show its message."""


class DomainError(Exception):
    """A rule of the domain refused an action. `code` is stable; `message` is for people."""

    code = "domain_error"
    http_status = 409

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFoundError(DomainError):
    """What was asked for does not exist (an unknown methodology, no score set on a date)."""

    code = "not_found"
    http_status = 404


class InvalidInput(DomainError):
    """A parameter is malformed; `field` names it."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class Forbidden(DomainError):
    """The rules say this person may not do this (four eyes, a missing role)."""

    code = "forbidden"
    http_status = 403
