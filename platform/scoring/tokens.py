"""Late days ("late tokens"): a course may give each student N late days for the term, which the
students spend themselves, one day at a time, on the assignments they choose.

The rules (one home: ``spend_refusal``; the progress page shows the same answer):
- The course's ``LateTokenSetting``: ``tokens_per_student`` (0 or no row: off) and
  ``max_per_assignment`` (default 2); an assignment's ``LateTokenCap`` overrides the latter
  (0: none on that assignment).
- A late day can be spent on a published assignment with a due date, while the student's own due
  date (extensions and earlier late days included) is less than 24 hours past: so the new due
  date is always still ahead, and work handed in up to a day late can be made on time.
- Each late day moves the student's due date and close date one day (24 hours) later. It is kept
  on the student's ``Extension`` row (``token_days``), so ``StudentPolicy`` applies it exactly as
  it applies an extension: late credit, days late, submit refusal and visibility all follow.
  Staff granting, changing or removing an extension keeps the late days the student spent.
- Spending recomputes the student's stored late credit on that assignment in the same
  transaction (``late_credit_recompute``; changed scores audited as ``deadline``), and writes a
  ``LateTokenSpend`` row (the log staff read on the gradebook's student page).
- Spending is idempotent and race-safe: the form names which late day it spends (``number``, the
  next one on that assignment as the page showed it); a second click finds it spent and spends
  nothing. Unique constraints on (assignment, student, number) and (course, student, ordinal)
  make two racing requests unable to both succeed on any database; the student's enrollment row
  is locked first, so on PostgreSQL the second simply waits and sees the first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assessments.models import Assignment
from core.errors import UserError
from courses.models import Course, Enrollment
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.models import Extension, LateTokenCap, LateTokenSetting, LateTokenSpend
from scoring.policy import StudentPolicy
from scoring.recompute import RecomputeReport, late_credit_recompute

TOKEN_DAY = timedelta(days=1)  # what one late day adds to the due and close dates
SPEND_GRACE = timedelta(days=1)  # how long after the student's due date one may still be spent
DEFAULT_MAX_PER_ASSIGNMENT = 2


class TokenRefused(UserError, ValueError):
    """A late day that cannot be spent (none left, the cap reached, too late, ...)."""

    status = 409


@dataclass(frozen=True)
class TokenRules:
    """A course's late-day settings."""

    tokens_per_student: int = 0
    max_per_assignment: int = DEFAULT_MAX_PER_ASSIGNMENT
    caps: dict[int, int] = field(default_factory=dict)  # assignment id -> its own cap

    @property
    def enabled(self) -> bool:
        return self.tokens_per_student > 0

    def cap_for(self, assignment_id: int) -> int:
        return self.caps.get(assignment_id, self.max_per_assignment)


@dataclass(frozen=True)
class TokenBalance:
    """One student's late days in one course."""

    total: int
    by_assignment: dict[int, int] = field(default_factory=dict)  # assignment id -> days spent

    @property
    def used(self) -> int:
        return sum(self.by_assignment.values())

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.used)

    def on(self, assignment_id: int) -> int:
        return self.by_assignment.get(assignment_id, 0)


def token_rules(*, course: Course | int) -> TokenRules:
    """Two queries: the course's setting and the assignments' own caps."""
    course_id = course if isinstance(course, int) else course.pk
    setting = LateTokenSetting.objects.filter(course_id=course_id).first()
    caps = dict(LateTokenCap.objects.filter(assignment__course_id=course_id).values_list("assignment_id", "max_tokens"))
    if setting is None:
        return TokenRules(caps=caps)
    return TokenRules(tokens_per_student=setting.tokens_per_student,
                      max_per_assignment=setting.max_per_assignment, caps=caps)


def token_balances(
    *, course: Course | int, rules: TokenRules, user_ids: Iterable[int] | None = None
) -> dict[int, TokenBalance]:
    """``{user_id: TokenBalance}`` in one query (a student without a spend is not a key: use
    ``balance_of``)."""
    course_id = course if isinstance(course, int) else course.pk
    rows = LateTokenSpend.objects.filter(course_id=course_id)
    if user_ids is not None:
        rows = rows.filter(student_id__in=list(user_ids))
    spent: dict[int, dict[int, int]] = defaultdict(dict)
    for student_id, assignment_id, count in (
        rows.values_list("student_id", "assignment_id").annotate(count=Count("id")).order_by()
    ):
        spent[student_id][assignment_id] = count
    return {user_id: TokenBalance(total=rules.tokens_per_student, by_assignment=days) for user_id, days in spent.items()}


def balance_of(balances: dict[int, TokenBalance], user_id: int, rules: TokenRules) -> TokenBalance:
    return balances.get(user_id) or TokenBalance(total=rules.tokens_per_student)


def spend_refusal(*, policy: StudentPolicy, rules: TokenRules, balance: TokenBalance, at: datetime) -> str | None:
    """Why the student may not spend a late day on this assignment now (translated), or ``None``."""
    assignment = policy.assignment
    if not rules.enabled:
        return _("This course does not use late days.")
    if not assignment.published:
        return _("This assignment is not open.")
    if policy.due_at is None:
        return _("This assignment has no due date, so there is nothing to extend.")
    cap = rules.cap_for(assignment.pk)
    if cap == 0:
        return _("Late days cannot be spent on this assignment.")
    if balance.remaining <= 0:
        return _("You have no late days left: you have used all %(total)d.") % {"total": balance.total}
    if balance.on(assignment.pk) >= cap:
        return _("You have already spent %(cap)d late day(s) on this assignment, the most allowed.") % {"cap": cap}
    if at >= policy.due_at + SPEND_GRACE:
        return _("Too late: a late day can be spent until 24 hours after your due date.")
    return None


@dataclass(frozen=True)
class SpendResult:
    spend: LateTokenSpend
    created: bool  # False: this late day had already been spent (a second click), nothing changed
    report: RecomputeReport | None = None


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def late_token_spend(
    *, user: AbstractBaseUser, assignment: Assignment, number: int, at: datetime | None = None
) -> SpendResult:
    """Spend the student's ``number``-th late day on ``assignment`` (the next one, as their page
    showed it). Raises ``TokenRefused``."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            return _spend(user=user, assignment=assignment, number=number, at=at)
    except IntegrityError:
        # Another request spent a late day at the same moment (the constraints let one through).
        existing = LateTokenSpend.objects.filter(assignment=assignment, student_id=user.pk, number=number).first()
        if existing is not None:
            return SpendResult(spend=existing, created=False)
        raise TokenRefused(_("Another late day was being spent at the same moment. Nothing was spent; try again.")) from None


def _spend(*, user: AbstractBaseUser, assignment: Assignment, number: int, at: datetime) -> SpendResult:
    # The enrollment row serialises one student's spends (PostgreSQL; SQLite writes one at a time).
    enrollment = Enrollment.objects.select_for_update().filter(
        course_id=assignment.course_id, user_id=user.pk, role=Enrollment.Role.STUDENT
    ).first()
    if enrollment is None:
        raise TokenRefused(_("Only students of this course can spend late days."))
    existing = LateTokenSpend.objects.filter(assignment=assignment, student_id=user.pk, number=number).first()
    if existing is not None:
        return SpendResult(spend=existing, created=False)
    rules = token_rules(course=assignment.course_id)
    balance = balance_of(token_balances(course=assignment.course_id, rules=rules, user_ids=[user.pk]), user.pk, rules)
    if number != balance.on(assignment.pk) + 1:
        raise TokenRefused(_("The page was out of date, so nothing was spent. Look at your late days again."))
    extension = Extension.objects.select_for_update().filter(assignment=assignment, student_id=user.pk).first()
    policy = StudentPolicy.of(assignment, extension)
    refusal = spend_refusal(policy=policy, rules=rules, balance=balance, at=at)
    if refusal:
        raise TokenRefused(refusal)
    assert policy.due_at is not None  # spend_refusal refuses an assignment without a due date
    if extension is None:
        extension = Extension.objects.create(assignment=assignment, student_id=user.pk, due_at=None, token_days=1)
    else:
        extension.token_days += 1
        extension.save(update_fields=["token_days", "updated_at"])
    due_after = policy.due_at + TOKEN_DAY
    ordinal = (LateTokenSpend.objects.filter(course_id=assignment.course_id, student_id=user.pk)
               .aggregate(last=Max("ordinal"))["last"] or 0) + 1
    spend = LateTokenSpend.objects.create(
        course_id=assignment.course_id, assignment=assignment, student_id=user.pk, number=number, ordinal=ordinal,
        due_before=policy.due_at, due_after=due_after,
    )
    reason = f"late day {number} spent by the student: due {_when(policy.due_at)} -> {_when(due_after)}"
    report = late_credit_recompute(assignment=assignment, actor=user, reason=reason, student_ids={user.pk})
    return SpendResult(spend=spend, created=True, report=report)


def late_token_setting_update(
    *, course: Course, actor: AbstractBaseUser, tokens_per_student: int, max_per_assignment: int
) -> LateTokenSetting:
    """Late days already spent stay spent (a lower budget only stops new spending)."""
    setting, _created = LateTokenSetting.objects.update_or_create(
        course=course, defaults={"tokens_per_student": tokens_per_student,
                                 "max_per_assignment": max_per_assignment, "updated_by": actor},
    )
    return setting


def late_token_cap_set(*, assignment: Assignment, max_tokens: int | None) -> None:
    """The assignment's own cap; ``None``: the course's."""
    if max_tokens is None:
        LateTokenCap.objects.filter(assignment=assignment).delete()
    else:
        LateTokenCap.objects.update_or_create(assignment=assignment, defaults={"max_tokens": max_tokens})


def token_spends_for_student(*, course: Course, user_id: int) -> list[LateTokenSpend]:
    return list(
        LateTokenSpend.objects.filter(course=course, student_id=user_id)
        .select_related("assignment").order_by("-created_at", "-id")
    )
