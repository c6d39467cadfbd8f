from django.urls import path

from configuration import people, views

app_name = "configuration"

urlpatterns = [
    path("", views.home, name="home"),
    # People and teams
    path("people/", people.people_list, name="people"),
    path("people/invite/", people.person_invite, name="person_invite"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:pk>/password-link/", people.person_password_link, name="person_password_link"
    ),
    path("teams/", people.teams, name="teams"),
    path("teams/<int:pk>/", people.team_rename, name="team"),
]
