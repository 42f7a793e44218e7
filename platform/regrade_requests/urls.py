from django.urls import path

from regrade_requests import views

app_name = "regrade_requests"
urlpatterns = [
    path("questions/<int:question_id>/regrade-request", views.ask, name="ask"),
    path("courses/<int:course_id>/regrade-requests/", views.queue, name="queue"),
    path("courses/<int:course_id>/regrade-requests/<int:request_id>", views.detail, name="detail"),
    path("courses/<int:course_id>/regrade-requests/window/<int:assignment_id>", views.window, name="window"),
]
