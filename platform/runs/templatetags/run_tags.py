"""``{% run_config question as config %}``: what the Run button's script needs (runs/_panel.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from grader.submission import MAX_CODE_BYTES
from runs.services import MAX_SCRATCH_BYTES

register = template.Library()


def scratch_template() -> str:
    return "\n".join([
        "# " + _("Scratch cell: try things here; it runs after your code and is never graded."),
        "# " + _("The value of the last line is shown, e.g. an array's shape and values."),
        "x = np.arange(16.).reshape(1, 1, 4, 4)",
        "x.shape",
        "",
    ])


@register.simple_tag
def run_config(question: Any) -> dict[str, Any]:
    return {
        "questionId": question.pk,
        "runUrl": reverse("runs:start", args=[question.pk]),
        "maxCodeBytes": MAX_CODE_BYTES,
        "maxScratchBytes": MAX_SCRATCH_BYTES,
        "scratchTemplate": scratch_template(),
        "i18n": {
            "queued": _("Waiting for a runner…"),
            "running": _("Running…"),
            "done": _("Done"),
            "error": _("Could not run"),
            "slow": _("Still running…"),
            "codeTooLarge": _("Your code is larger than the limit of %(limit)s bytes.") % {"limit": f"{MAX_CODE_BYTES:,}"},
            "scratchTooLarge": _("The scratch cell is larger than the limit of %(limit)s bytes.")
            % {"limit": f"{MAX_SCRATCH_BYTES:,}"},
            "errorLine": _("Line %(line)s"),
        },
    }
