from django.contrib import admin

from courses.models import Course, Enrollment


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "language", "join_code", "join_open"]
    inlines = [EnrollmentInline]
