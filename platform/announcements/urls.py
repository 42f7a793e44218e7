from django.urls import path

from announcements import views

app_name = "announcements"
urlpatterns = [
    path("courses/<int:course_id>/announcements/", views.announcement_index, name="list"),
    path("courses/<int:course_id>/announcements/new", views.announcement_new, name="new"),
    path("courses/<int:course_id>/announcements/<int:announcement_id>/edit", views.announcement_edit, name="edit"),
    path("courses/<int:course_id>/announcements/<int:announcement_id>/delete", views.announcement_remove,
         name="delete"),
    path("notifications/preferences", views.preferences, name="preferences"),
]
