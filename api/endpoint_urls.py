"""The API's endpoints over the domain, mounted at /api/v1/ by ``api/urls.py``."""

from django.urls import path

from api.endpoints import actions, assessments, cases, clients, deadlines, notes, notifications

urlpatterns = [
    path("clients/search/", clients.ClientSearch.as_view(), name="client_search"),
    path("clients/<int:pk>/", clients.ClientDetail.as_view(), name="client_detail"),
    path("cases/", cases.CaseList.as_view(), name="case_list"),
    path("cases/<int:pk>/", cases.CaseDetail.as_view(), name="case_detail"),
    path("cases/<int:pk>/status/", cases.CaseStatus.as_view(), name="case_status"),
    path("cases/<int:pk>/notes/", notes.CaseNotes.as_view(), name="case_notes"),
    path("cases/<int:pk>/actions/", actions.CaseActions.as_view(), name="case_actions"),
    path(
        "cases/<int:pk>/actions/<int:action_pk>/complete/",
        actions.ActionComplete.as_view(),
        name="action_complete",
    ),
    path(
        "cases/<int:pk>/assessments/",
        assessments.CaseAssessments.as_view(),
        name="case_assessments",
    ),
    path(
        "cases/<int:pk>/assessments/<int:assessment_pk>/",
        assessments.AssessmentDetail.as_view(),
        name="assessment_detail",
    ),
    path("cases/<int:pk>/deadlines/", deadlines.CaseDeadlines.as_view(), name="case_deadlines"),
    path("cases/<int:pk>/flags/", deadlines.CaseFlags.as_view(), name="case_flags"),
    path("notifications/", notifications.NotificationList.as_view(), name="notification_list"),
    path(
        "notifications/read/", notifications.NotificationsRead.as_view(), name="notifications_read"
    ),
]
