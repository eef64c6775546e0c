"""Logging filters of the web process (``LOGGING`` in settings).

Django logs a page refused by ``PermissionDenied`` (and a bad multipart body) on ``django.request``
with the exception attached, so every ordinary refusal — a supervisor opening the assistance
desk — filled the log with a traceback. A refusal is the permission checks working, not a fault:
``RefusalWithoutTraceback`` keeps the one line (level, "Forbidden (Permission denied): /path")
and drops the traceback of any 4xx answer; a server error (5xx) keeps its traceback.
"""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
