from django.urls import path

from sources import views as source_views
from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("autocomplete/actors/", views.actor_autocomplete, name="actor-autocomplete"),
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/new/", views.claim_new, name="claim-new"),
    path("claims/flagged/", source_views.flagged_claim_list, name="claim-flagged"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/workflow/", views.claim_transition, name="claim-transition"),
    path("import/", views.import_claims, name="import"),
    path("import/claims-template.csv", views.import_template, name="import-template"),
]
