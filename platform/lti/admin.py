from django.contrib import admin

from lti.keys import rsa_key_pair_generate
from lti.models import LtiContext, LtiGradeSync, LtiRegistration, LtiResourceLink, LtiUser


@admin.register(LtiRegistration)
class LtiRegistrationAdmin(admin.ModelAdmin):
    list_display = ("title", "issuer", "client_id", "active", "creates_courses", "created_at")
    list_filter = ("active",)
    # The key pair is generated on registration (lti.services.registration); never edited by hand.
    exclude = ("private_key",)
    readonly_fields = ("public_key", "created_by", "created_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not obj.private_key:  # added here rather than from a course page
            obj.private_key, obj.public_key = rsa_key_pair_generate()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(LtiContext)
class LtiContextAdmin(admin.ModelAdmin):
    list_display = ("context_id", "title", "registration", "course")
    raw_id_fields = ("course",)


@admin.register(LtiUser)
class LtiUserAdmin(admin.ModelAdmin):
    list_display = ("sub", "registration", "user", "last_launch_at")
    raw_id_fields = ("user",)


@admin.register(LtiResourceLink)
class LtiResourceLinkAdmin(admin.ModelAdmin):
    list_display = ("resource_link_id", "title", "context", "assignment", "lineitem_url")
    raw_id_fields = ("assignment",)


@admin.register(LtiGradeSync)
class LtiGradeSyncAdmin(admin.ModelAdmin):
    list_display = ("id", "link", "lti_user", "status", "attempts", "sent_score", "sent_at")
    list_filter = ("status",)
    readonly_fields = ("last_error",)
