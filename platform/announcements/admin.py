from django.contrib import admin

from announcements.models import Announcement, NotificationPreference, OutboundEmail


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "pinned", "emailed", "created_at"]
    list_filter = ["course", "pinned"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "announcements", "grades", "regrades", "language"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """To look into e-mails that failed (``last_error`` says why)."""

    list_display = ["pk", "kind", "recipient", "course", "status", "tries", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
