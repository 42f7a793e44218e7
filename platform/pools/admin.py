from django.contrib import admin

from pools.models import PoolDraw, PoolMember, QuestionPool


@admin.register(QuestionPool)
class QuestionPoolAdmin(admin.ModelAdmin):
    list_display = ("assignment", "name", "draw", "points")


@admin.register(PoolMember)
class PoolMemberAdmin(admin.ModelAdmin):
    list_display = ("pool", "question")


@admin.register(PoolDraw)
class PoolDrawAdmin(admin.ModelAdmin):
    list_display = ("pool", "user", "question", "slot", "drawn_at")
    list_filter = ("pool",)
