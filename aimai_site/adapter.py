"""The site's allauth adapter: the real client address, one login protection, and allauth's
e-mail (address confirmation, password reset, login codes) through the same retrying task as
the site's own, so a mail server that is down never breaks a sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils.html import strip_tags

from aimai_site.mail import mail_queue
from aimai_site.ratelimit import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's own rate limits key on the same address as ours."""
        return client_address(request)

    def pre_authenticate(self, request, **credentials) -> None:
        """Password failures are counted by aimai_site.login_guard (per address and account,
        with back-off), not by allauth's per-account limit, which lets anyone lock the owner
        out. allauth's `login_failed` rate still guards the second-factor step."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
            },
        )
        html = next(
            (
                content
                for content, kind in getattr(message, "alternatives", [])
                if kind == "text/html"
            ),
            None,
        )
        body = message.body
        if message.content_subtype == "html":  # an HTML-only template
            html, body = body, strip_tags(body)
        mail_queue(message.subject, body, message.to, from_email=message.from_email, html=html)
