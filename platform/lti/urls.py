from django.urls import path

from lti import views

app_name = "lti"
urlpatterns = [
    path("login/", views.oidc_login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("canvas.json", views.canvas_config, name="canvas_config"),
    path("courses/<int:course_id>/", views.course_settings, name="course_settings"),
    path("deep-link/<str:key>/", views.deep_link, name="deep_link"),
]
