from django.contrib import admin

from scoring.models import Extension, LateTokenSetting, LateTokenSpend, RegradeRun, ScoreChange


@admin.register(ScoreChange)
class ScoreChangeAdmin(admin.ModelAdmin):
    # The audit log is append-only: the admin may read it, never edit it.
    list_display = ["created_at", "student", "question", "old_score", "new_score", "source", "actor"]
    list_filter = ["source", "question__assignment__course"]
    search_fields = ["student__username", "reason"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    # Editing here would skip the recomputation: use the course's settings page instead.
    list_display = ["assignment", "student", "due_at", "closes_at", "extra_attempts", "token_days", "granted_by"]
    readonly_fields = [
        "assignment", "student", "due_at", "closes_at", "extra_attempts", "token_days", "reason", "granted_by",
    ]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(RegradeRun)
class RegradeRunAdmin(admin.ModelAdmin):
    list_display = ["id", "question", "version", "status", "policy", "created_by", "applied_by", "applied_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in RegradeRun._meta.fields]


@admin.register(LateTokenSpend)
class LateTokenSpendAdmin(admin.ModelAdmin):
    # The log of late days students spent: read only (spending goes through scoring.tokens).
    list_display = ["created_at", "student", "assignment", "number", "due_before", "due_after"]
    list_filter = ["course"]
    readonly_fields = [field.name for field in LateTokenSpend._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(LateTokenSetting)
class LateTokenSettingAdmin(admin.ModelAdmin):
    list_display = ["course", "tokens_per_student", "max_per_assignment", "updated_by", "updated_at"]
