from django.urls import path

from notes import views

app_name = "notes"

urlpatterns = [
    path("cases/<int:pk>/notes/new/", views.note_add, name="note_add"),
    path("cases/<int:pk>/notes/draft/", views.note_draft_save, name="note_draft_save"),
    path(
        "cases/<int:pk>/notes/draft/discard/",
        views.note_draft_discard,
        name="note_draft_discard",
    ),
    path("cases/<int:pk>/notes/<int:note_pk>/correct/", views.note_correct, name="note_correct"),
    path("cases/<int:pk>/actions/new/", views.action_add, name="action_add"),
    path(
        "cases/<int:pk>/actions/<int:action_pk>/done/",
        views.action_complete,
        name="action_complete",
    ),
    path(
        "cases/<int:pk>/actions/<int:action_pk>/cancel/",
        views.action_cancel,
        name="action_cancel",
    ),
]
