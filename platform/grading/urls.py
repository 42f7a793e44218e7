from django.urls import path

from grading import views

app_name = "grading"
urlpatterns = [
    path("courses/<int:course_id>/grading/", views.queue, name="queue"),
    path("courses/<int:course_id>/grading/split", views.split, name="split"),
    path("courses/<int:course_id>/grading/questions/<int:question_id>/", views.question_answers, name="question"),
    path("courses/<int:course_id>/grading/answers/<int:answer_id>/", views.answer_grade, name="answer"),
    path("courses/<int:course_id>/grading/answers/<int:answer_id>/take", views.answer_take, name="take"),
]
