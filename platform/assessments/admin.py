from django.contrib import admin

from assessments.models import Assignment, Question


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["slug", "course", "published", "opens_at", "due_at", "closes_at", "max_attempts", "late_penalty_per_day"]
    list_filter = ["course", "published"]
    # Dates and the late curve are changed on the course's settings page (scoring app), which
    # recomputes and audits the stored scores; here they are read-only.
    fields = ["published", "opens_at", "due_at", "closes_at", "max_attempts", "late_penalty_per_day",
              "late_curve", "late_curve_mode", "hidden_checks", "feedback_visibility", "show_explanations",
              "position"]
    readonly_fields = ["due_at", "late_penalty_per_day", "late_curve", "late_curve_mode"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["slug", "assignment", "kind", "points", "active"]
    list_filter = ["assignment__course", "kind"]
    readonly_fields = ["current_version"]
