from django.urls import path

from dataprotection import sar_views, views

app_name = "dataprotection"

urlpatterns = [
    path("", views.home, name="home"),
    # Subject access requests (sar_views)
    path("subject-access/", sar_views.sar_list, name="sar_list"),
    path("subject-access/new/", sar_views.sar_open, name="sar_open"),
    path("subject-access/<int:pk>/", sar_views.sar_detail, name="sar_detail"),
    path("subject-access/<int:pk>/extend/", sar_views.sar_extend, name="sar_extend"),
    path("subject-access/<int:pk>/review/", sar_views.sar_review, name="sar_review"),
    path(
        "subject-access/<int:pk>/items/<slug:kind>/<int:object_id>/",
        sar_views.sar_item_decide,
        name="sar_item_decide",
    ),
    path(
        "subject-access/<int:pk>/items/<slug:kind>/<int:object_id>/release-in-full/",
        sar_views.sar_item_release_in_full,
        name="sar_item_release_in_full",
    ),
    path("subject-access/<int:pk>/ready/", sar_views.sar_ready, name="sar_ready"),
    path("subject-access/<int:pk>/release/", sar_views.sar_release, name="sar_release"),
    path("subject-access/<int:pk>/close/", sar_views.sar_close, name="sar_close"),
    path("subject-access/<int:pk>/download/", sar_views.sar_download, name="sar_download"),
]
