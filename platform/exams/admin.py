from django.contrib import admin

from exams.models import ExamExtension, ExamSession, ExamSettings

admin.site.register(ExamSettings)
admin.site.register(ExamExtension)
admin.site.register(ExamSession)
