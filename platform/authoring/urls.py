from django.urls import path

from authoring import views

app_name = "authoring"
_bundle = "authoring/courses/<int:course_id>/bundles/<slug:slug>/"
urlpatterns = [
    path("authoring/courses/<int:course_id>/", views.index, name="index"),
    path("authoring/courses/<int:course_id>/bundles/new", views.bundle_new, name="bundle_new"),
    path("authoring/courses/<int:course_id>/import", views.bundle_import, name="bundle_import"),
    path("authoring/courses/<int:course_id>/preview", views.preview, name="preview"),
    path("authoring/courses/<int:course_id>/assignments/<int:assignment_id>/copy", views.bundle_copy,
         name="bundle_copy"),
    path(_bundle, views.bundle_detail, name="bundle"),
    path(_bundle + "publish", views.bundle_publish, name="bundle_publish"),
    path(_bundle + "discard", views.bundle_discard, name="bundle_discard"),
    path(_bundle + "export.zip", views.bundle_export, name="bundle_export"),
    path(_bundle + "questions/new", views.question_new, name="question_new"),
    path(_bundle + "run", views.question_run, name="question_run"),
    path("authoring/courses/<int:course_id>/runs/<int:run_id>", views.run_status, name="run_status"),
    path(_bundle + "quiz-try", views.question_quiz_try, name="question_quiz_try"),
    path(_bundle + "questions/<slug:question_slug>/", views.question_edit, name="question"),
    path(_bundle + "questions/<slug:question_slug>/remove", views.question_remove, name="question_remove"),
    path(_bundle + "questions/<slug:question_slug>/move", views.question_move, name="question_move"),
]
