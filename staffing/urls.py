"""The staffing pages: staff (under /staff/) and supervisors (under /supervisor/);
servicehall/urls.py includes each list."""

from django.urls import path

from staffing import views, views_assessments, views_department, views_replacements

staff_patterns = [
    path("me/", views.me, name="staffing-me"),
    path("conduct-code/", views.conduct_code, name="staffing-conduct-code"),
    path("department/", views.department, name="staffing-department"),
    # The chief representative's read of the dual management of their department (Art. 8).
    path("department/replacements/", views_department.replacement_list, name="staffing-department-replacements"),
    path(
        "department/replacements/<int:pk>/",
        views_department.replacement_detail,
        name="staffing-department-replacement",
    ),
    path(
        "department/replacements/<int:pk>/close/",
        views_department.replacement_close,
        name="staffing-department-replacement-close",
    ),
    path("department/assessments/", views_department.assessment_list, name="staffing-department-assessments"),
]
supervisor_patterns = [
    path("staffing/", views.roster, name="staffing-roster"),
    path("staffing/<int:pk>/", views.person, name="staffing-person"),
    # Dual management (Art. 8): replacement requests to the sending department …
    path("staffing/<int:pk>/replacement/", views_replacements.request_create, name="staffing-replacement-create"),
    path("staffing/replacements/", views_replacements.request_list, name="staffing-replacements"),
    path("staffing/replacements/<int:pk>/", views_replacements.request_detail, name="staffing-replacement"),
    path("staffing/replacements/<int:pk>/close/", views_replacements.request_close, name="staffing-replacement-close"),
    path(
        "staffing/replacements/<int:pk>/withdraw/",
        views_replacements.request_withdraw,
        name="staffing-replacement-withdraw",
    ),
    # … and the annual assessment proposals.
    path("staffing/assessments/", views_assessments.assessment_list, name="staffing-assessments"),
    path("staffing/assessments/export.csv", views_assessments.export_csv, name="staffing-assessments-csv"),
    path("staffing/assessments/print/", views_assessments.print_sheets, name="staffing-assessments-print"),
    path("staffing/assessments/<int:pk>/<int:year>/", views_assessments.proposal, name="staffing-assessment"),
    path("staffing/planner/", views.planner, name="staffing-planner"),
    path("staffing/surges/", views.surges, name="staffing-surges"),
    path("staffing/surges/<int:pk>/", views.surge_detail, name="staffing-surge"),
    path("staffing/incidents/from-order/<int:pk>/", views.incident_from_order, name="staffing-incident-from-order"),
    path(
        "staffing/incidents/from-report/<str:number>/",
        views.incident_from_report,
        name="staffing-incident-from-report",
    ),
]
