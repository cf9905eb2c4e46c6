"""One error hierarchy for LabelQA; only ``labelqa.api`` turns these into HTTP responses.

::

    LabelQAError                   code             HTTP
    ├── ValidationError            invalid          422  bad input: a roster row, a payload
    ├── NotFound                   not_found        404  a source, queue, labeler ... is missing
    ├── Conflict                   conflict         409  already exists
    ├── Unauthorized               unauthorized     401  no or wrong credentials
    ├── Forbidden                  forbidden        403  the role may not do this
    ├── ConfigurationError         configuration    500  settings that cannot work
    └── ConnectorError             connector        502  an outside system failed
        └── LabelStudioError       label_studio     502  LS is down, slow, or refused a call
            ├── LabelStudioAuthError   label_studio_auth       the stored token was rejected
            └── LabelStudioNotFound    label_studio_not_found  a project/task id is not in LS

Every error carries a stable ``code`` and a message a person can act on.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigurationError",
    "Conflict",
    "ConnectorError",
    "Forbidden",
    "LabelQAError",
    "LabelStudioAuthError",
    "LabelStudioError",
    "LabelStudioNotFound",
    "NotFound",
    "Unauthorized",
    "ValidationError",
]


class LabelQAError(Exception):
    """Base of every error LabelQA raises on purpose."""

    code = "error"
    status_code = 500

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class ValidationError(LabelQAError):
    code = "invalid"
    status_code = 422


class NotFound(LabelQAError):
    code = "not_found"
    status_code = 404


class Conflict(LabelQAError):
    code = "conflict"
    status_code = 409


class Unauthorized(LabelQAError):
    code = "unauthorized"
    status_code = 401


class Forbidden(LabelQAError):
    code = "forbidden"
    status_code = 403


class ConfigurationError(LabelQAError):
    code = "configuration"
    status_code = 500


class ConnectorError(LabelQAError):
    code = "connector"
    status_code = 502


class LabelStudioError(ConnectorError):
    code = "label_studio"


class LabelStudioAuthError(LabelStudioError):
    code = "label_studio_auth"


class LabelStudioNotFound(LabelStudioError):
    code = "label_studio_not_found"
