from django.urls import path

from exams import views

app_name = "exams"
urlpatterns = [
    path("courses/<int:course_id>/exams/", views.exam_index, name="index"),
    path("courses/<int:course_id>/exams/<int:assignment_id>/", views.exam_settings, name="settings"),
    path("courses/<int:course_id>/exams/<int:assignment_id>/extensions", views.exam_extension_new,
         name="extension_new"),
    path("courses/<int:course_id>/exams/<int:assignment_id>/extensions/<int:extension_id>/delete",
         views.exam_extension_remove, name="extension_delete"),
    path("courses/<int:course_id>/assignments/<int:assignment_id>/exam", views.exam_page, name="exam"),
    path("api/exams/<int:assignment_id>/clock", views.clock_endpoint, name="clock"),
    path("api/exams/<int:assignment_id>/finish", views.finish_endpoint, name="finish"),
]
