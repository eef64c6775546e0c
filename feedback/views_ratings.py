"""Pages of the 好差评 ratings (``feedback/ratings.py``, ``feedback/rectification.py``,
``feedback/rollup_ratings.py``):

- public: rate a served ticket (``/ratings/t/<ticket token>/``) or a completed case
  (``/ratings/c/<progress token>/``), and the published satisfaction (``/ratings/``, 评价公开);
- staff: the window's rating tablet (``/staff/windows/<pk>/rating-tablet/``, the hall's counter
  staff; htmx polls for the ticket just served), and the rectification orders
  (``/staff/rectifications/``: a supervisor's halls, a chief representative's department, a
  clerk's own bad ratings), with each step's form on the order's page;
- supervisors: recompute the current month's satisfaction now (``/supervisor/ratings/rollup/``).

A refusal comes back on the form beside its field with its status (400 for a shape, 403, 409 for
a rule or state); nothing is saved then."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from catalog import page_cache
from catalog import selectors as catalog_selectors
from catalog.cached_pages import cached_page, render_main
from feedback import form_tokens, ratings, rectification, rollup_ratings, statistics_cache
from feedback.forms_ratings import (
    ACTION_FORMS,
    FollowUpForm,
    OrderFilterForm,
    RatingForm,
    StatisticsFilterForm,
    add_error,
    next_month,
    previous_month,
)
from feedback.models_ratings import Rating, RectificationOrder
from feedback.ratings import RatingError
from queueing.access import access_window
from servicehall import extensions, roles
from servicehall.access import staff_required, staff_scope, supervisor_required
from servicehall.clock import local_date
from servicehall.http import post_action
from servicehall.pagination import paginate, requested_page

PER_PAGE = 50
TABLET_POLL_SECONDS = 5


def _render(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, f"feedback/ratings/{template}", context, status=status)


def _private(response: HttpResponse) -> HttpResponse:
    """A page addressed by a private token: never indexed, never cached."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Rating by link --------------------------------------------------------------------------


# The rating this browser just gave, for the page the POST redirects to (POST-redirect-GET).
RATED_KEY = "feedback_rated"


def _subject_rating(kind: str, subject: Any, **extra: Any) -> Rating | None:
    which = {"ticket": subject} if kind == Rating.Kind.TICKET else {"case": subject}
    return Rating.objects.filter(**which, **extra).first()


def _rate(request: HttpRequest, *, subject: Any, kind: str, refusal: str) -> HttpResponse:
    """The form, or why there is none (not served or completed yet, rated already); a POST
    refused for either is a 409 with the same message, and nothing is saved. A rating given
    redirects to the page (POST-redirect-GET), which thanks once; the form's one-time token
    (feedback/form_tokens.py) makes a second submit of the same form (double click, back and
    submit) land on that thanks instead of a refusal, and never rate twice."""
    status = 200
    form = RatingForm(request.POST or None)
    rating = None
    if request.method == "POST":
        token = form_tokens.checked(request.POST.get(form_tokens.FIELD))
        given = _subject_rating(kind, subject, submission_key=token) if token else None
        if given is not None:
            request.session[RATED_KEY] = given.pk
            return redirect(request.path)
        if refusal:
            status = 409
        elif not form.is_valid():
            status = 400
        elif token is None:
            form.add_error(None, _("表单已过期，请核对内容后重新提交。"))
            status = 400
        else:
            try:
                if kind == Rating.Kind.TICKET:
                    rating = ratings.rating_submit_ticket(
                        ticket=subject, data=form.rating_input(), submission_key=token
                    )
                else:
                    rating = ratings.rating_submit_case(case=subject, data=form.rating_input(), submission_key=token)
            except RatingError as exc:
                status = exc.status
                if exc.code in {"already_rated", "not_served", "not_completed"}:
                    # Two clicks at once: the other request saved this very form's rating.
                    if _subject_rating(kind, subject, submission_key=token) is not None:
                        return redirect(request.path)
                    refusal = str(exc.message)
                else:
                    add_error(form, exc)
            else:
                request.session[RATED_KEY] = rating.pk
                return redirect(request.path)
    else:
        rated = request.session.pop(RATED_KEY, None)
        if rated is not None:
            rating = _subject_rating(kind, subject, pk=rated)
    context = {
        "subject": subject,
        "kind": kind,
        "form": form,
        "refusal": refusal,
        "rating": rating,
        # A call back is promised only to a rater the staff can reach (a case's or a booking's
        # mobile): a ticket rated by its link alone is anonymous.
        "contactable": rating is not None and rectification.rater_contactable(rating),
        "form_token": form_tokens.issue(),
    }
    return _private(_render(request, "rate.html", context, status=status))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate_ticket(request: HttpRequest, token: str) -> HttpResponse:
    ticket = ratings.ticket_by_token(token)
    if ticket is None:
        raise Http404(_("没有找到该号码。"))
    return _rate(request, subject=ticket, kind=Rating.Kind.TICKET, refusal=ratings.ticket_refusal(ticket))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate_case(request: HttpRequest, token: str) -> HttpResponse:
    case = ratings.case_by_token(token)
    if case is None:
        raise Http404(_("没有找到该办件。"))
    return _rate(request, subject=case, kind=Rating.Kind.CASE, refusal=ratings.case_refusal(case))


# --- The published satisfaction (评价公开) -----------------------------------------------------


# Every parameter the page takes; a request with any other is served uncached.
STATISTICS_PARAMS = frozenset({"month", "scope", "hall", "page"})


@require_safe
def public_statistics(request: HttpRequest) -> HttpResponseBase:
    """评价公开: a month's satisfaction by hall, department or window, read from the rollup. The
    main part is kept in the page cache per rollup generation (``feedback/statistics_cache.py``),
    query, language and current month (docs/caching.md); a supervisor's "recompute now" is drawn
    per request."""
    today = local_date()
    ctx = statistics_cache.context(today)
    pairs, bounded = page_cache.query_parts(request, STATISTICS_PARAMS)

    def compute() -> tuple[dict[str, Any], bool]:
        form = StatisticsFilterForm(request.GET or None)
        page_number, page_error = requested_page(request)
        status = 200
        month = ratings.month_start(today)
        scope = rollup_ratings.HALL_SCOPE
        hall = None
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound:
            month = form.cleaned_data.get("month") or month
            scope = form.cleaned_data.get("scope") or scope
            hall = form.cleaned_data.get("hall")
        if page_error:
            status = 400
        rows = rollup_ratings.satisfaction_rows(month=month, scope=scope, hall_id=hall.pk if hall else None)
        page = paginate(rows, page_number=page_number, per_page=PER_PAGE)
        previous = previous_month(month)
        following = next_month(month)
        context = {
            "form": form,
            "page": page,
            "page_error": page_error,
            "month": month,
            "scope": scope,
            "hall": hall,
            "previous_month": previous,
            "next_month": following if following is not None and following <= ratings.month_start(today) else None,
            # The pagination links' query, in the key's (sorted) order.
            "query": urlencode([(name, value) for name, value in pairs if name != "page"]),
            "policy": ratings.policy(),
            # The hall filter in one pass, not one widget template per hall (bench: 620 halls took
            # most of the page's time).
            "hall_options": catalog_selectors.hall_options(),
        }
        main = render_main("feedback/ratings/statistics.html", context)
        return {"title": _("评价公开"), **main, "status": status}, status == 200 and bounded

    def extra(payload: dict[str, Any]) -> dict[str, object]:
        # Only a signed-in visitor's shell is drawn with the page's context (an anonymous one
        # never has the button): read their roles only then.
        signed_in = request.user.is_authenticated
        return {"may_rollup": signed_in and staff_scope(request.user).has_role(*roles.SUPERVISION_ROLES)}

    # The month in effect moves at midnight on the 1st (the default month, the "next month" link).
    digest = page_cache.entry_key(
        ctx,
        (
            "ratings",
            ctx.generation and ctx.generation.guides,
            get_language(),
            pairs,
            ratings.month_start(today).isoformat(),
        ),
    )
    return cached_page(
        request,
        ctx,
        digest,
        compute,
        sections=[ROLLUP_NOW_SECTION],
        extra=extra,
        seconds=page_cache.ENTRY_SECONDS,
        conditional=bounded,
    )


ROLLUP_NOW_SECTION = "feedback/ratings/_rollup_now.html"


@supervisor_required
@post_action("ratings-public")
def rollup_now(request: HttpRequest) -> HttpResponse:
    """Recompute the current month at once (the hourly job does it anyway)."""
    rows = rollup_ratings.satisfaction_rollup(month=local_date())
    messages.success(request, _("本月满意度已重新汇总（%(n)s行）。") % {"n": rows})
    return redirect("ratings-public")


# --- The window's tablet ---------------------------------------------------------------------


def _tablet(
    request: HttpRequest,
    pk: int,
    *,
    form: RatingForm | None = None,
    status: int = 200,
    thanks: bool = False,
    notice: str = "",
) -> HttpResponse:
    window = access_window(request.user, pk)
    ticket = None if thanks else ratings.tablet_ticket(window=window)
    if ticket is not None and form is None:
        form = RatingForm()
    template = "tablet.html#panel" if getattr(request, "htmx", False) else "tablet.html"
    return _render(
        request,
        template,
        {
            "window": window,
            "ticket": ticket,
            "form": form,
            "thanks": thanks,
            "notice": notice,
            "poll_seconds": TABLET_POLL_SECONDS,
            "care_mode": True,
        },
        status=status,
    )


_TABLET_REFUSAL = gettext_lazy("窗口评价器仅限本大厅的窗口工作人员和首席事务代表使用。")


@staff_required(*roles.COUNTER_ROLES, message=_TABLET_REFUSAL)
@require_safe
def tablet(request: HttpRequest, pk: int) -> HttpResponse:
    return _tablet(request, pk)


@staff_required(*roles.COUNTER_ROLES, message=_TABLET_REFUSAL)
@post_action("rating-tablet", "pk")
def tablet_submit(request: HttpRequest, pk: int, ticket_pk: int) -> HttpResponse:
    window = access_window(request.user, pk)
    ticket = ratings.tablet_ticket(window=window)
    form = RatingForm(request.POST)
    if ticket is None or ticket.pk != ticket_pk:
        # Rated meanwhile (by the link), or past the tablet's minutes: nothing to save here.
        return _tablet(request, pk, notice=_("该号码已评价或已超过窗口评价时间，无须再评价。"), status=409)
    if not form.is_valid():
        return _tablet(request, pk, form=form, status=400)
    try:
        ratings.rating_submit_ticket(ticket=ticket, data=form.rating_input(), source=Rating.Source.TABLET)
    except RatingError as exc:
        add_error(form, exc)
        return _tablet(request, pk, form=form, status=exc.status)
    return _tablet(request, pk, thanks=True)


# --- Rectification orders --------------------------------------------------------------------


@staff_required()
@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    page_number, page_error = requested_page(request)
    status = 400 if page_error else 200
    rows = rectification.orders_visible(request.user)
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        wanted = form.cleaned_data.get("status")
        if wanted == "open":
            rows = rows.filter(status__in=RectificationOrder.OPEN)
        elif wanted:
            rows = rows.filter(status=wanted)
        if form.cleaned_data.get("overdue"):
            # Flagged by the job, or past the deadline since its last run (逾期 on the page too).
            rows = rows.filter(
                Q(overdue=True) | Q(status=RectificationOrder.Status.RECTIFYING, due_on__lt=local_date())
            )
    page = paginate(rows.order_by("-opened_at", "-pk"), page_number=page_number, per_page=PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "page_error": page_error, "query": query.urlencode(), "staff_page": True}
    return _render(request, "orders.html", context, status=status)


def _action_form(name: str, order: RectificationOrder, data: Any = None) -> Form:
    """The step's form; the follow-up's offers 评价人未留联系方式 alone when no call is possible."""
    if name == "follow-up":
        return FollowUpForm(data, prefix=name, contactable=rectification.rater_contactable(order.rating))
    return ACTION_FORMS[name](data, prefix=name)


def _order_page(
    request: HttpRequest, order: RectificationOrder, *, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    allowed = {
        "verify": order.status == RectificationOrder.Status.VERIFYING and rectification.may_handle(user, order),
        "rectify": order.status == RectificationOrder.Status.RECTIFYING and rectification.may_handle(user, order),
        "follow-up": order.status == RectificationOrder.Status.FOLLOW_UP and rectification.may_handle(user, order),
        "appeal": rectification.may_appeal(user, order),
        "decide-appeal": rectification.may_decide_appeal(user, order),
    }
    given = forms or {}
    action_forms = {name: given.get(name) or _action_form(name, order) for name, ok in allowed.items() if ok}
    context = {
        "order": order,
        "rating": order.rating,
        "events": list(order.events.select_related("actor__staff_profile").all()),
        "appeal": getattr(order, "appeal", None) if hasattr(order, "appeal") else None,
        "action_forms": action_forms,
        "staff_page": True,
        "order_sections": extensions.sections(extensions.RECTIFICATION_ORDER),
    }
    return _render(request, "order_detail.html", context, status=status)


@staff_required()
@require_safe
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, rectification.access_order(request.user, pk))


@staff_required()
@post_action("rectification-detail", "pk")
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404(_("没有该操作。"))
    order = rectification.access_order(request.user, pk)
    form = _action_form(action, order, request.POST)
    if not form.is_valid():
        return _order_page(request, order, forms={action: form}, status=400)
    data = form.cleaned_data
    try:
        if action == "verify":
            rectification.order_verify(order=order, actor=request.user, valid=data["valid"], reason=data["reason"])
            done = _("已登记核实结论。")
        elif action == "rectify":
            rectification.order_rectify(order=order, actor=request.user, measures=data["measures"])
            done = _("已登记整改措施，请尽快回访评价人。")
        elif action == "follow-up":
            rectification.order_follow_up(
                order=order,
                actor=request.user,
                reached=data["reached"],
                satisfied=data.get("satisfied"),
                note=data["note"],
            )
            done = _("已登记回访，整改单办结。")
        elif action == "appeal":
            rectification.order_appeal(order=order, actor=request.user, reason=data["reason"])
            done = _("已提交申诉，等待政务服务管理部门复核。")
        else:
            rectification.appeal_decide(
                order=order, actor=request.user, overturn=data["overturn"], reason=data["reason"]
            )
            done = _("已登记复核结论。")
    except RatingError as exc:
        add_error(form, exc)
        return _order_page(
            request, rectification.access_order(request.user, pk), forms={action: form}, status=exc.status
        )
    messages.success(request, done)
    return redirect("rectification-detail", pk)


# --- Routes ----------------------------------------------------------------------------------

public_patterns = [
    path("ratings/", public_statistics, name="ratings-public"),
    path("ratings/t/<slug:token>/", rate_ticket, name="rating-ticket"),
    path("ratings/c/<slug:token>/", rate_case, name="rating-case"),
]
staff_patterns = [
    path("windows/<int:pk>/rating-tablet/", tablet, name="rating-tablet"),
    path("windows/<int:pk>/rating-tablet/<int:ticket_pk>/", tablet_submit, name="rating-tablet-submit"),
    path("rectifications/", order_list, name="rectification-list"),
    path("rectifications/<int:pk>/", order_detail, name="rectification-detail"),
    path("rectifications/<int:pk>/<slug:action>/", order_action, name="rectification-action"),
]
supervisor_patterns = [
    path("ratings/rollup/", rollup_now, name="ratings-rollup-now"),
]
