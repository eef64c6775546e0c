"""gunicorn settings shared by `make run`, the production image and the bench
(``gunicorn -c python:servicehall.gunicorn_conf``).

gunicorn writes its access and error logs through its own loggers, outside Django's LOGGING: the
personal-data filter is attached to them here, before the workers fork, so a request line never
carries a ticket or booking token, an ID number or a mobile number.
"""

from __future__ import annotations

import logging
from typing import Any

from servicehall.personal_data import MaskPersonalDataFilter

accesslog = "-"
errorlog = "-"


def on_starting(server: Any) -> None:
    mask = MaskPersonalDataFilter()
    for name in ("gunicorn.access", "gunicorn.error"):
        logging.getLogger(name).addFilter(mask)
