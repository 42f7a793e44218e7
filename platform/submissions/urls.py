from django.urls import path

from submissions import views

app_name = "submissions"
urlpatterns = [
    path("api/questions/<int:question_id>/draft", views.draft_endpoint, name="draft"),
    path("api/questions/<int:question_id>/submissions", views.submit_endpoint, name="submit"),
    path("api/submissions/<int:submission_id>", views.status_endpoint, name="status"),
    path("api/submissions/<int:submission_id>/code", views.code_endpoint, name="code"),
]
