from django.urls import path

from gradebook import views

app_name = "gradebook"
urlpatterns = [
    path("courses/<int:course_id>/gradebook", views.gradebook, name="table"),
    path("courses/<int:course_id>/gradebook.csv", views.gradebook_export, name="csv"),
]
