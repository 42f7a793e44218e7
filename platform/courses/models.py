from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ko")
    join_code = models.CharField(_("join code"), max_length=16, unique=True, default=new_join_code)
    join_open = models.BooleanField(_("students may join with the code"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("Instructor")
        TA = "ta", _("Teaching assistant")
        STUDENT = "student", _("Student")

    STAFF_ROLES = (Role.INSTRUCTOR, Role.TA)

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    # What a TA may do beyond grading; instructors may always do both.
    may_edit_assignments = models.BooleanField(_("may edit assignments"), default=False)
    may_regrade = models.BooleanField(_("may regrade and change grading policy"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="one_enrollment_per_course")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course} ({self.role})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in self.STAFF_ROLES

    @property
    def can_edit_assignments(self) -> bool:
        return self.role == self.Role.INSTRUCTOR or (self.role == self.Role.TA and self.may_edit_assignments)

    @property
    def can_regrade(self) -> bool:
        return self.role == self.Role.INSTRUCTOR or (self.role == self.Role.TA and self.may_regrade)
