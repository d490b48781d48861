from django.urls import path

from positions import views

app_name = "positions"

urlpatterns = [
    path("new/", views.position_new, name="new"),
    path("<int:pk>/", views.position_detail, name="detail"),
    path("<int:pk>/edit/", views.position_edit, name="edit"),
    path("<int:pk>/workflow/", views.position_transition, name="transition"),
]
