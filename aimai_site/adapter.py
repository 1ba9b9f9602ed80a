"""The site's allauth adapter: the real client address, one login protection, and allauth's
e-mail (address confirmation, password reset, login codes) through the same retrying task as
the site's own, so a mail server that is down never breaks a sign-up.

Its e-mail greets with the site's name and links to SITE_URL, like the site's own e-mail,
whatever host or port the request came through (a proxy, a development port)."""

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation
from django.utils.html import strip_tags

from aimai_site.languages import DEFAULT_LANGUAGE, email_language, remember_language
from aimai_site.mail import mail_queue
from aimai_site.ratelimit import client_address


@dataclass(frozen=True)
class SiteFromSettings:
    """What allauth's templates read of `current_site`: the name and the domain."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.name


def current_site() -> SiteFromSettings:
    return SiteFromSettings(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def site_link(url: str) -> str:
    """The same page at SITE_URL: allauth builds its links from the request's host."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's own rate limits key on the same address as ours."""
        return client_address(request)

    def pre_authenticate(self, request, **credentials) -> None:
        """Password failures are counted by aimai_site.login_guard (per address and account,
        with back-off), not by allauth's per-account limit, which lets anyone lock the owner
        out. allauth's `login_failed` rate still guards the second-factor step."""

    def save_user(self, request, user, form, commit=True):
        """A new account reads its e-mail in the language it signed up in."""
        user = super().save_user(request, user, form, commit)
        code = getattr(request, "LANGUAGE_CODE", None)
        if commit and code and code != DEFAULT_LANGUAGE:
            remember_language(user, code)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        links = {
            name: site_link(value)
            for name, value in context.items()
            if name.endswith("_url") and isinstance(value, str) and "://" in value
        }
        # in the recipient's language, whichever page the mail was asked from; one who never
        # chose reads it in the language of the page that asked for it
        asked_in = getattr(request, "LANGUAGE_CODE", None) or DEFAULT_LANGUAGE
        with translation.override(email_language(email, asked_in)):
            message = self.render_mail(
                template_prefix,
                email,
                {
                    "request": request,
                    "email": email,
                    **context,
                    **links,
                    "current_site": current_site(),
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
