from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Citizens' voice (REQUIREMENTS §9, Art. 6): the "办不成事" window's closed loop
    (feedback/reports.py) and the 好差评 ratings with their rectification orders
    (feedback/ratings.py)."""

    name = "feedback"
    verbose_name = _("办事反馈与评价")

    def ready(self) -> None:
        from feedback import wiring

        wiring.connect()
