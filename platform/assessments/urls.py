from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("courses/<int:course_id>/assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("questions/<int:question_id>/", views.question_detail, name="question"),
    path("questions/<int:question_id>/submissions", views.question_submissions, name="question_submissions"),
]
