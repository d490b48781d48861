"""Position pages, and the actor and topic pages that show positions. Mounted at the site root."""

from django.urls import path

from positions import history_views, views

app_name = "positions"

urlpatterns = [
    path("positions/new/", views.position_new, name="position-new"),
    path("positions/<int:pk>/", views.position_detail, name="position-detail"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position-edit"),
    path("positions/<int:pk>/workflow/", views.position_transition, name="position-transition"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    # Our records of an actor or a topic as they stood at a moment, beside the kernel's /history/ pages.
    path("history/actors/<slug:slug>/", history_views.actor_as_of_page, name="actor-as-of"),
    path("history/topics/<slug:slug>/", history_views.topic_as_of_page, name="topic-as-of"),
]
