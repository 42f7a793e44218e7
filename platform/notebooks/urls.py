from django.urls import path

from notebooks import views

app_name = "notebooks"
urlpatterns = [
    path("questions/<int:question_id>/notebook.ipynb", views.question_notebook, name="question"),
    path("questions/<int:question_id>/common.zip", views.question_common_zip, name="common"),
    path("courses/<int:course_id>/assignments/<int:assignment_id>/notebook.ipynb", views.assignment_notebook,
         name="assignment"),
    path("api/questions/<int:question_id>/notebook/extract", views.extract_endpoint, name="extract"),
]
