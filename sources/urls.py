"""Source pages, and the claim pages that carry citations. Mounted at the site root."""

from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("sources/", views.source_list, name="source-list"),
    path("sources/new/", views.source_new, name="source-new"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source-edit"),
    path("sources/<int:pk>/check/", views.source_check_now, name="source-check"),
    path("actors/<slug:slug>/roles/new/", views.role_new, name="role-new"),
    path("roles/<int:pk>/edit/", views.role_edit, name="role-edit"),
    path("claims/new/", views.claim_new, name="claim-new"),
    path("claims/flagged/", views.flagged_claim_list, name="claim-flagged"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim-edit"),
    path("import/", views.claim_import, name="claim-import"),
    path("import/claims-template.csv", views.claim_import_template, name="claim-import-template"),
    path("import/<int:job_id>/apply/", views.claim_import_apply, name="claim-import-apply"),
]
