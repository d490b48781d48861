"""Public pages, under /public/ (config/urls.py); each answers 404 unless PUBLIC_PAGES_ENABLED."""

from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    path("actors/<slug:slug>/timeline.svg", views.actor_timeline_svg, name="actor-timeline-svg"),
    path("actors/<slug:slug>/timeline/embed/", views.actor_timeline_embed, name="actor-timeline-embed"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/matrix.svg", views.topic_matrix_svg, name="topic-matrix-svg"),
    path("topics/<slug:slug>/matrix/embed/", views.topic_matrix_embed, name="topic-matrix-embed"),
]
