"""Pairing a hall's kiosk (自助终端配对): an administrator opens ``/halls/<code>/kiosk/pair/`` on
the kiosk's own browser, names the device and pairs it. The device is registered
(``services.kiosk_device_register``) and its credential goes straight into a signed, long-lived,
HTTP-only cookie scoped to the hall's pages, never shown; the administrator is then logged out,
so the kiosk is not left signed in, and the browser lands on the kiosk. Unpairing revokes the
device and removes the cookie. Kiosk programs that call the API get their credential from the
admin instead (shown once) and send it as the ``X-Kiosk-Device`` header.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from catalog.access import access_hall
from queueing import services
from queueing.access import KIOSK_COOKIE, kiosk_cookie_path, kiosk_device_of, set_kiosk_cookie
from queueing.services import QueueError
from servicehall.access import staff_required
from servicehall.roles import ADMINISTRATOR


class PairForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("终端名称"),
        max_length=60,
        help_text=gettext_lazy("如“一楼大堂1号机”，便于在后台识别和停用。"),
        error_messages={"required": gettext_lazy("请填写终端名称。")},
    )


@staff_required(ADMINISTRATOR, message=gettext_lazy("只有系统管理员可以配对自助终端。"))
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_pair(request: HttpRequest, code: str) -> HttpResponse:
    hall = access_hall(request.user, code, roles_allowed=(ADMINISTRATOR,))
    current = kiosk_device_of(request)
    paired = current if current is not None and current.hall_id == hall.pk else None
    form = PairForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "unpair":
        if paired is not None:
            services.kiosk_device_revoke(device=paired, actor=request.user)
        response = HttpResponseRedirect(reverse("queue-kiosk-pair", args=[hall.code]))
        response.delete_cookie(KIOSK_COOKIE, path=kiosk_cookie_path(hall.code))
        return response
    if request.method == "POST":
        form = PairForm(request.POST)
        if form.is_valid():
            try:
                _device, credential = services.kiosk_device_register(
                    hall=hall, name=form.cleaned_data["name"], actor=request.user
                )
            except QueueError as exc:
                form.add_error("name" if exc.field == "name" else None, str(exc.message))
                status = exc.status
            else:
                if paired is not None:  # re-paired: the old credential of this browser is void
                    services.kiosk_device_revoke(device=paired, actor=request.user)
                # The kiosk must not stay signed in as the administrator who paired it.
                logout(request)
                response = HttpResponseRedirect(reverse("queue-kiosk", args=[hall.code]))
                set_kiosk_cookie(response, hall_code=hall.code, credential=credential)
                return response
        else:
            status = 400
    return TemplateResponse(
        request, "queueing/supervisor/kiosk_pair.html", {"hall": hall, "form": form, "paired": paired}, status=status
    )
