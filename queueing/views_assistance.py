"""The hall's assistance desk (帮办代办台, Art. 10 ¶1): the requests for accompanied (陪同办) and
assisted (帮办代办) handling made at the kiosk or when booking, for the hall's own staff to take and
mark done. Plain forms (post, redirect, message); each action goes through
``queueing.access.access_assistance`` (the user's hall) and one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.models import Hall
from queueing import selectors, services
from queueing.access import access_assistance, access_desk_hall
from queueing.models import AssistanceRequest
from servicehall.access import staff_required
from servicehall.http import post_action


@staff_required()
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    hall_id = access_desk_hall(request.user)
    now = timezone.now()
    return TemplateResponse(
        request,
        "queueing/console/assistance.html",
        {"hall": Hall.objects.get(pk=hall_id), "desk": selectors.assistance_desk(hall_id=hall_id, now=now)},
    )


@staff_required()
@post_action("assistance-desk")
def desk_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("take", "done"):
        raise Http404(_("没有该操作。"))
    assistance = access_assistance(request.user, pk)
    act = services.assistance_take if action == "take" else services.assistance_done
    try:
        assistance = act(request=assistance, staff=request.user)
    except services.QueueError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _describe(assistance))
    return redirect("assistance-desk")


def _describe(assistance: AssistanceRequest) -> str:
    what = assistance.ticket.number if assistance.ticket else _("预约")
    if assistance.status == AssistanceRequest.Status.DONE:
        return _("已完成 %(what)s 的%(kind)s请求。") % {"what": what, "kind": assistance.get_kind_display()}
    return _("已接单：%(what)s 的%(kind)s请求，请前往协助。") % {"what": what, "kind": assistance.get_kind_display()}
