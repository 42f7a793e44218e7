from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3 (LMS integration)")

    def ready(self) -> None:
        from lti import receivers

        receivers.connect()
