"""Admin of the feedback app, by topic."""

# 好差评 ratings: the rules, read-only records (feedback/admin_ratings.py).
from feedback import admin_ratings  # noqa: E402, F401

# “办不成事” reports: categories, read-only reports, and the window rule on halls (feedback/admin_reports.py).
# isort: split
from feedback import admin_reports  # noqa: E402, F401
