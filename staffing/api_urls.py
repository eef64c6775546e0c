"""The staffing API routes, included under /api/v1/ by servicehall/urls.py."""

from django.urls import path

from staffing import apis, apis_assessments, apis_replacements

urlpatterns = [
    path("staffing/secondments/", apis.SecondmentListView.as_view(), name="staffing-secondment-list"),
    path("staffing/secondments/<int:pk>/", apis.SecondmentDetailView.as_view(), name="staffing-secondment-detail"),
    path("staffing/secondments/<int:pk>/end/", apis.SecondmentEndView.as_view(), name="staffing-secondment-end"),
    path("staffing/secondments/<int:pk>/incidents/", apis.IncidentListView.as_view(), name="staffing-incidents"),
    path("staffing/me/", apis.MeView.as_view(), name="staffing-me"),
    path("staffing/department/", apis.DepartmentView.as_view(), name="staffing-department"),
    path(
        "staffing/incidents/from-order/<int:pk>/",
        apis.IncidentFromOrderView.as_view(),
        name="staffing-incident-from-order",
    ),
    path(
        "staffing/incidents/from-report/<str:number>/",
        apis.IncidentFromReportView.as_view(),
        name="staffing-incident-from-report",
    ),
    path("staffing/conduct-code/", apis.ConductCodeView.as_view(), name="staffing-conduct-code"),
    # Dual management (Art. 8): replacement requests and annual assessment proposals.
    path("staffing/replacements/", apis_replacements.ReplacementListView.as_view(), name="staffing-replacement-list"),
    path(
        "staffing/replacements/<int:pk>/close/",
        apis_replacements.ReplacementCloseView.as_view(),
        name="staffing-replacement-close",
    ),
    path(
        "staffing/replacements/<int:pk>/withdraw/",
        apis_replacements.ReplacementWithdrawView.as_view(),
        name="staffing-replacement-withdraw",
    ),
    path("staffing/assessments/", apis_assessments.AssessmentListView.as_view(), name="staffing-assessment-list"),
    path(
        "staffing/assessments/<int:pk>/submit/",
        apis_assessments.ProposalSubmitView.as_view(),
        name="staffing-assessment-submit",
    ),
    path(
        "staffing/assessments/export/",
        apis_assessments.AssessmentExportView.as_view(),
        name="staffing-assessment-export",
    ),
    path("staffing/planner/", apis.PlannerView.as_view(), name="staffing-planner-api"),
    path("staffing/surges/", apis.SurgeListView.as_view(), name="staffing-surge-list"),
    path("staffing/surges/<int:pk>/", apis.SurgeDetailView.as_view(), name="staffing-surge-detail"),
    path("staffing/surges/<int:pk>/handle/", apis.SurgeHandleView.as_view(), name="staffing-surge-handle"),
]
