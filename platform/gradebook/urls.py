from django.urls import path

from gradebook import views

app_name = "gradebook"
urlpatterns = [
    path("courses/<int:course_id>/gradebook", views.gradebook, name="table"),
    path("courses/<int:course_id>/gradebook.csv", views.gradebook_export, name="csv"),
    path("courses/<int:course_id>/gradebook/questions.csv", views.gradebook_export_questions, name="csv_questions"),
    path("courses/<int:course_id>/gradebook/students/<int:user_id>/", views.gradebook_student, name="student"),
    path("courses/<int:course_id>/gradebook/import", views.gradebook_import, name="import"),
]
