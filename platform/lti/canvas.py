"""Canvas's JSON developer-key configuration ("Enter URL" or "Paste JSON" when adding an LTI key)."""

from __future__ import annotations

from typing import Any

from lti import claims as c
from lti.urls_helpers import ToolUrls


def canvas_config_build(*, urls: ToolUrls) -> dict[str, Any]:
    placement = {"message_type": c.DEEP_LINKING_REQUEST, "target_link_uri": urls.deep_linking}
    return {
        "title": "dlgrade",
        "description": "Auto-graded deep-learning assignments and quizzes",
        "oidc_initiation_url": urls.login,
        "target_link_uri": urls.launch,
        "public_jwk_url": urls.jwks,
        "scopes": [
            c.AGS_LINEITEM_SCOPE,
            c.AGS_LINEITEM_READ_SCOPE,
            c.AGS_RESULT_READ_SCOPE,
            c.AGS_SCORE_SCOPE,
        ],
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "privacy_level": "public",  # names and emails, so staff can recognise students
                "settings": {
                    "placements": [
                        {"placement": "assignment_selection", **placement},
                        {"placement": "link_selection", **placement},
                    ],
                },
            }
        ],
        "custom_fields": {},
    }
