from django.contrib import admin

from assessments.models import Assignment, Question


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["slug", "course", "published", "opens_at", "due_at", "closes_at", "max_attempts", "late_penalty_per_day"]
    list_filter = ["course", "published"]
    fields = ["published", "opens_at", "due_at", "closes_at", "max_attempts", "late_penalty_per_day",
              "hidden_checks", "show_explanations", "position"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["slug", "assignment", "kind", "points", "active"]
    list_filter = ["assignment__course", "kind"]
    readonly_fields = ["current_version"]
