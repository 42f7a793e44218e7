from django.urls import path

from grading import views, views_code

app_name = "grading"
urlpatterns = [
    path("courses/<int:course_id>/grading/", views.queue, name="queue"),
    path("courses/<int:course_id>/grading/split", views.split, name="split"),
    path("courses/<int:course_id>/grading/questions/<int:question_id>/", views.question_answers, name="question"),
    path("courses/<int:course_id>/grading/answers/<int:answer_id>/", views.answer_grade, name="answer"),
    path("courses/<int:course_id>/grading/answers/<int:answer_id>/take", views.answer_take, name="take"),
    path("courses/<int:course_id>/grading/settings", views_code.grading_settings, name="settings"),
    path("courses/<int:course_id>/grading/code/<int:question_id>/", views_code.code_submissions, name="code_question"),
    path("courses/<int:course_id>/grading/code/review/<str:token>/", views_code.code_review, name="code_review"),
    path("courses/<int:course_id>/grading/code/review/<str:token>/comments", views_code.comment_add, name="comment_add"),
    path("courses/<int:course_id>/grading/code/comments/<int:comment_id>", views_code.comment_change, name="comment_change"),
]
