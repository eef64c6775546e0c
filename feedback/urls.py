"""The feedback pages: public (/report/, /ratings/, the rating form), staff (under /staff/) and
supervisors (under /supervisor/); servicehall/urls.py includes each list. Each topic adds its
routes from its own module."""

public_patterns: list = []
staff_patterns: list = []
supervisor_patterns: list = []

# 好差评 ratings, the window's tablet, rectification orders, 评价公开 (feedback/views_ratings.py).
from feedback import views_ratings  # noqa: E402

public_patterns += views_ratings.public_patterns
staff_patterns += views_ratings.staff_patterns
supervisor_patterns += views_ratings.supervisor_patterns

# “办不成事” reports: the public form and progress page, the window's entry, the list and the
# loop's steps (feedback/views_reports.py).
from feedback import views_reports  # noqa: E402

public_patterns += views_reports.public_patterns
staff_patterns += views_reports.staff_patterns
supervisor_patterns += views_reports.supervisor_patterns
