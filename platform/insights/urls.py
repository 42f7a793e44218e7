from django.urls import path

from insights import views

app_name = "insights"
urlpatterns = [
    path("courses/<int:course_id>/insights/", views.course_index, name="course"),
    path("courses/<int:course_id>/insights/assignments/<int:assignment_id>/", views.assignment_dashboard,
         name="assignment"),
    path("courses/<int:course_id>/insights/questions/<int:question_id>/", views.question_detail, name="question"),
    path("courses/<int:course_id>/insights/questions/<int:question_id>/similarity", views.similarity_list,
         name="similarity"),
    path("courses/<int:course_id>/insights/questions/<int:question_id>/similarity/<int:a_id>/<int:b_id>",
         views.similarity_detail, name="similarity_pair"),
    path("courses/<int:course_id>/insights/live", views.live, name="live"),
    path("courses/<int:course_id>/insights/live.json", views.live_data, name="live_data"),
]
