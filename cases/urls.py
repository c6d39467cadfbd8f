from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("caseload/", views.my_caseload, name="my_caseload"),
    path("organisation/", views.organisation, name="organisation"),
    path("clients/search/", views.client_search, name="client_search"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/consents/new/", views.consent_add, name="consent_add"),
    path(
        "clients/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("clients/<int:pk>/cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/deadlines/new/", views.deadline_add, name="deadline_add"),
    path(
        "cases/<int:pk>/deadlines/<int:deadline_pk>/<str:status>/",
        views.deadline_status,
        name="deadline_status",
    ),
    path("cases/<int:pk>/outcomes/new/", views.outcome_add, name="outcome_add"),
    path(
        "cases/<int:pk>/outcomes/<int:outcome_pk>/progress/",
        views.outcome_progress,
        name="outcome_progress",
    ),
    path("cases/<int:pk>/obstacles/new/", views.obstacle_add, name="obstacle_add"),
    path(
        "cases/<int:pk>/obstacles/<int:obstacle_pk>/resolve/",
        views.obstacle_resolve,
        name="obstacle_resolve",
    ),
    path("cases/<int:pk>/shares/new/", views.share_add, name="share_add"),
    path("cases/<int:pk>/shares/<int:share_pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("cases/<int:pk>/referrals/new/", views.referral_out_add, name="referral_out_add"),
    path("cases/break-glass/", views.break_glass, name="break_glass"),
    path("cases/break-glass/queue/", views.break_glass_queue, name="break_glass_queue"),
    path(
        "cases/break-glass/requests/<int:pk>/decide/",
        views.break_glass_decide,
        name="break_glass_decide",
    ),
    path(
        "cases/break-glass/uses/<int:pk>/review/",
        views.break_glass_review,
        name="break_glass_review",
    ),
    path("referrals/new/", views.referral_in, name="referral_in"),
    path("cases/unallocated/", views.unallocated, name="unallocated"),
    path("people/access/", views.access, name="access"),
    path("people/access/<int:pk>/", views.access_person, name="access_person"),
]
