from django.urls import path

from pools import views

app_name = "pools"
urlpatterns = [
    path("courses/<int:course_id>/assignments/<int:assignment_id>/pools", views.pools_page, name="assignment"),
]
