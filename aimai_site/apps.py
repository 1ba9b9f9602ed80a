from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AimaiSiteConfig(AppConfig):
    """The account-level pieces every other app builds on: API tokens, the login guard."""

    name = "aimai_site"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core.signals import request_finished

        from aimai_site import login_guard, logs, metrics
        from aimai_site.outbox import outbox_backlog

        request_finished.connect(logs.request_done, dispatch_uid="request-id-done")
        metrics.outbox_backlog_source(outbox_backlog)

        user_login_failed.connect(login_guard.on_login_failed, dispatch_uid="login-guard-failed")
        user_logged_in.connect(login_guard.on_logged_in, dispatch_uid="login-guard-success")
