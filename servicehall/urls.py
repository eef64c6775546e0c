from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularSwaggerSplitView

from appointments import api_urls as appointments_api
from cases import api_urls as cases_api
from cases import urls as cases_urls
from catalog import api_urls as catalog_api
from feedback import api_urls as feedback_api
from feedback import urls as feedback_urls
from queueing import api_urls as queueing_api
from servicehall import views, views_security
from servicehall.http import post_action
from servicehall.login import LoginForm
from servicehall.schema_view import SchemaView
from staffing import api_urls as staffing_api
from staffing import urls as staffing_urls

# Each app owns its API routes; they share the "api" namespace under /api/v1/. Queue routes
# first (the polled snapshot resolves in the fewest steps), the catalog's router last (its
# halls/<code>/ detail must not shadow halls/<code>/queue/ and the like).
api_patterns = [
    *queueing_api.urlpatterns,
    *appointments_api.urlpatterns,
    *cases_api.urlpatterns,
    *feedback_api.urlpatterns,
    *staffing_api.urlpatterns,
    *catalog_api.urlpatterns,
]

admin.site.site_header = _("广州市政务服务管理平台")
admin.site.site_title = _("政务服务管理")
admin.site.index_title = _("目录、大厅与日历管理")

urlpatterns = [
    # The API first: the polled queue snapshot resolves in the fewest steps.
    path("api/v1/", include((api_patterns, "api"))),
    path("api/v1/", views.api_index),
    path("api/", views.api_index, name="api-index"),
    path("", include("catalog.urls")),
    path("", include("queueing.urls_public")),
    path("", include("appointments.urls")),
    path("", include(cases_urls.public_patterns)),
    path("", include(feedback_urls.public_patterns)),
    path("staff/audit/", views_security.audit_list, name="audit-list"),
    path("staff/audit/export.csv", views_security.audit_export, name="audit-export"),
    path("staff/", include("queueing.urls_staff")),
    path("staff/", include("appointments.urls_staff")),
    path("staff/", include(cases_urls.staff_patterns)),
    path("staff/", include(feedback_urls.staff_patterns)),
    path("staff/", include(staffing_urls.staff_patterns)),
    path("supervisor/", include("queueing.urls_supervisor")),
    path("supervisor/", include("appointments.urls_supervisor")),
    path("supervisor/", include(cases_urls.supervisor_patterns)),
    path("supervisor/", include(feedback_urls.supervisor_patterns)),
    path("supervisor/", include(staffing_urls.supervisor_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon),
    path("preferences/care-mode/", views.care_mode, name="care-mode"),
    path("i18n/setlang/", set_language, name="set_language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    # Logging out is a POST (CSRF); a GET of the URL (a reload, the history) goes to the staff
    # home, where the logout button is; an anonymous visitor goes on from there to the login page.
    path("accounts/logout/", post_action("staff-home")(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/two-factor/", views_security.two_factor_manage, name="two-factor-manage"),
    path("accounts/two-factor/verify/", views_security.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/enrol/", views_security.two_factor_enrol, name="two-factor-enrol"),
    path("accounts/password/change/", views_security.password_change, name="password-change"),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "servicehall.views.bad_request"
handler403 = "servicehall.views.permission_denied"
handler404 = "servicehall.views.page_not_found"
handler500 = "servicehall.views.server_error"
