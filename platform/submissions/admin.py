from django.contrib import admin

from submissions.models import QuizAnswer, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "question", "attempt", "status", "verdict", "score", "created_at"]
    list_filter = ["status", "verdict"]
    raw_id_fields = ["user", "question", "version"]


@admin.register(QuizAnswer)
class QuizAnswerAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "question", "attempt", "score", "needs_manual", "created_at"]
    list_filter = ["needs_manual"]
    raw_id_fields = ["user", "question", "version"]
