from django.urls import path

from runs import views

app_name = "runs"
urlpatterns = [
    path("api/questions/<int:question_id>/runs", views.run_start_endpoint, name="start"),
    path("api/runs/<int:run_id>", views.run_status_endpoint, name="status"),
]
