from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("courses/<int:course_id>/progress", views.progress_page, name="course"),
    path("courses/<int:course_id>/progress/assignments/<int:assignment_id>/late-day",
         views.late_day_spend, name="spend_late_day"),
]
