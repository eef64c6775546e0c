"""The feedback app's models, defined by topic and gathered here for Django: the "办不成事"
reports and their closed loop (feedback/models_reports.py) and the 好差评 ratings with their
rectification orders and appeals (feedback/models_ratings.py)."""

# 好差评 ratings, rectification orders, appeals and the monthly satisfaction rollup.
from feedback.models_ratings import (  # noqa: E402, F401
    Rating,
    RatingAppeal,
    RatingPolicy,
    RectificationEvent,
    RectificationOrder,
    SatisfactionMonth,
)

# "办不成事" reports, their assignments and events, the daily reference sequence.
from feedback.models_reports import (  # noqa: E402, F401
    Report,
    ReportAssignment,
    ReportCategory,
    ReportEvent,
    ReportSequence,
)
