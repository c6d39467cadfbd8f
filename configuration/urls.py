from django.urls import path, register_converter

from configuration import catalogue, criteria, organisation, people, timescales, views

register_converter(catalogue.CatalogueKind, "catalogue")

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
    # Timescales and calendar
    path("timescales/", timescales.timescales, name="timescales"),
    path("timescales/<int:case_type_id>/", timescales.timescales_edit, name="timescales_edit"),
    path("calendar/", timescales.calendar, name="calendar"),
    path("calendar/nation/", timescales.calendar_nation, name="calendar_nation"),
    path("calendar/closures/", timescales.closure_add, name="closure_add"),
    path("calendar/closures/<int:pk>/remove/", timescales.closure_remove, name="closure_remove"),
    # Schedules and change history
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:pk>/", views.schedule_edit, name="schedule_edit"),
    path("history/", views.history, name="history"),
    # Priority criteria: versions, a draft's thresholds and questions, the what-if
    path("criteria/", criteria.versions, name="criteria"),
    path("criteria/start/", criteria.draft_start, name="criteria_start"),
    path("criteria/<int:pk>/", criteria.version_detail, name="criteria_version"),
    path("criteria/<int:pk>/discard/", criteria.draft_discard, name="criteria_discard"),
    path("criteria/<int:pk>/publish/", criteria.publish, name="criteria_publish"),
    path("criteria/<int:pk>/questions/add/", criteria.criterion_edit, name="criterion_add"),
    path(
        "criteria/<int:pk>/questions/preview/",
        criteria.criterion_preview,
        name="criterion_preview",
    ),
    path(
        "criteria/<int:pk>/questions/<int:criterion_pk>/",
        criteria.criterion_edit,
        name="criterion",
    ),
    path(
        "criteria/<int:pk>/questions/<int:criterion_pk>/remove/",
        criteria.criterion_remove,
        name="criterion_remove",
    ),
    # Case types, note templates, weights, review factors: lists of rows, one set of views
    path("<catalogue:kind>/", catalogue.catalogue_list, name="catalogue"),
    path("<catalogue:kind>/add/", catalogue.catalogue_edit, name="catalogue_add"),
    path("<catalogue:kind>/<int:pk>/", catalogue.catalogue_edit, name="catalogue_edit"),
    path("reviews/", catalogue.review_settings, name="review_settings"),
    path("organisation/", organisation.organisation_settings, name="organisation"),
]
