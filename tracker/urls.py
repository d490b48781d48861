"""The tracker's pages. URL names are kebab-case `<record>-<action>` in the namespace of the app that
serves the page: the claim entry, edit and import pages are `sources:…`, the actor and topic pages
`positions:…` (every path is unchanged; config/urls.py mounts each app's pages at the root)."""

from django.urls import path

from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("autocomplete/actors/", views.actor_autocomplete, name="actor-autocomplete"),
    path("actors/", views.actor_list, name="actor-list"),
    # Before the positions app's `actors/<slug>/`: config/urls.py includes this app first.
    path("actors/new/", views.actor_new, name="actor-new"),
    path("actors/<slug:slug>/edit/", views.actor_edit, name="actor-edit"),
    path("topics/new/", views.topic_new, name="topic-new"),
    path("topics/<slug:slug>/edit/", views.topic_edit, name="topic-edit"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/workflow/", views.claim_transition, name="claim-transition"),
    path("claims/workflow/", views.claim_bulk, name="claim-bulk"),
]
