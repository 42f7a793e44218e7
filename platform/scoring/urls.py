from django.urls import path

from scoring.views import audit, deadlines, late_days, overview, regrade

app_name = "scoring"
urlpatterns = [
    path("courses/<int:course_id>/scoring/", overview.scoring_overview, name="overview"),
    path("courses/<int:course_id>/scoring/audit", audit.audit_log_page, name="audit_log"),
    path("courses/<int:course_id>/scoring/late-days", late_days.late_days_settings, name="late_days"),
    path("courses/<int:course_id>/scoring/assignments/<int:assignment_id>/settings",
         deadlines.assignment_settings, name="assignment_settings"),
    path("courses/<int:course_id>/scoring/assignments/<int:assignment_id>/extensions/<int:extension_id>/delete",
         deadlines.extension_delete, name="extension_delete"),
    path("courses/<int:course_id>/scoring/questions/<int:question_id>/regrade",
         regrade.question_regrade, name="question_regrade"),
    path("courses/<int:course_id>/scoring/regrades/<int:run_id>", regrade.regrade_run, name="regrade_run"),
    path("courses/<int:course_id>/scoring/regrades/<int:run_id>/progress",
         regrade.regrade_run_progress, name="regrade_progress"),
    path("courses/<int:course_id>/scoring/regrades/<int:run_id>/apply",
         regrade.regrade_run_apply, name="regrade_apply"),
    path("courses/<int:course_id>/scoring/regrades/<int:run_id>/discard",
         regrade.regrade_run_cancel, name="regrade_discard"),
]
