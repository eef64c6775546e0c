"""The feedback API routes, included under /api/v1/ by servicehall/urls.py. Each topic adds its
routes from its own module."""

urlpatterns: list = []

# 好差评 ratings, statistics and rectification orders (feedback/apis_ratings.py).
from feedback.apis_ratings import urlpatterns_ratings  # noqa: E402

urlpatterns += urlpatterns_ratings()

# “办不成事” reports: online registration, progress by token, staff list, detail and steps
# (feedback/apis_reports.py).
from feedback.apis_reports import urlpatterns_reports  # noqa: E402

urlpatterns += urlpatterns_reports()
