"""Question pools: an assignment's slot from which each student is given ``draw`` questions.

Declared in bundle.yaml (``pools:``), stored by the loader (``pools.services.pools_sync``). A
student's draw is stored the first time they see the assignment or one of its pooled questions
(``PoolDraw``): a question once seen never changes, even when the pool grows later."""

from __future__ import annotations

from assessments.models import Assignment, Question
from django.conf import settings
from django.db import models
from django.utils import timezone


class QuestionPool(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="pools")
    name = models.SlugField()
    position = models.PositiveIntegerField(default=0)  # the bundle position of its first question
    draw = models.PositiveIntegerField()  # questions each student gets (k)
    points = models.FloatField()  # per drawn question (slot); every member is worth this

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "name"], name="pool_unique_name")]

    def __str__(self) -> str:
        return f"{self.assignment.slug}/{self.name}"


class PoolMember(models.Model):
    pool = models.ForeignKey(QuestionPool, on_delete=models.CASCADE, related_name="members")
    # One pool per question: a question in two pools would count twice towards one student.
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="pool_member")

    def __str__(self) -> str:
        return f"{self.pool} ∋ {self.question.slug}"


class PoolDraw(models.Model):
    """One question a student was given from a pool, stored when they first saw it."""

    pool = models.ForeignKey(QuestionPool, on_delete=models.CASCADE, related_name="draws")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveIntegerField()  # order of drawing: when the pool shrinks, the first ones stay
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slot", "id"]
        constraints = [models.UniqueConstraint(fields=["pool", "user", "question"], name="pool_draw_unique")]

    def __str__(self) -> str:
        return f"{self.pool} → user {self.user_id}: {self.question.slug}"
