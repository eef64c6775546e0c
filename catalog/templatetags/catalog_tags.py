from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def working_days(value: int) -> str:
    """ "5 个工作日" / "5 working days" (and "1 working day")."""
    return ngettext("%(days)s 个工作日", "%(days)s 个工作日", value) % {"days": value}
