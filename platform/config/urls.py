from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config import views
from config.login import ThrottledLoginView

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch is on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The admin's own log-in form, behind the same throttle (it would otherwise allow unlimited guesses).
    path("admin/login/", ThrottledLoginView.as_view(
        template_name="admin/login.html", authentication_form=AdminAuthenticationForm,
        extra_context={"site_header": admin.site.site_header, "site_title": admin.site.site_title},
    ), name="admin_login"),
    path("admin/", admin.site.urls),
    path("", include("courses.urls")),
    path("", include("assessments.urls")),
    path("", include("submissions.urls")),
    path("", include("gradebook.urls")),
    path("", include("scoring.urls")),
    path("", include("progress.urls")),
    path("", include("pools.urls")),
    path("", include("grading.urls")),
    path("", include("regrade_requests.urls")),
    path("", include("insights.urls")),
    path("", include("authoring.urls")),
    path("", include("runs.urls")),
    path("", include("notebooks.urls")),
    path("", include("announcements.urls")),
    path("", include("exams.urls")),
    path("lti/", include("lti.urls")),
]
