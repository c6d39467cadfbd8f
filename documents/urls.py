from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("clients/<int:pk>/add/", views.client_document_add, name="client_document_add"),
    path("cases/<int:pk>/add/", views.case_document_add, name="case_document_add"),
    path("<int:pk>/download/", views.document_download, name="document_download"),
]
