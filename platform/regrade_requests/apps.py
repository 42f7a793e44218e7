from django.apps import AppConfig


class RegradeRequestsConfig(AppConfig):
    name = "regrade_requests"
    verbose_name = "Regrade requests"
