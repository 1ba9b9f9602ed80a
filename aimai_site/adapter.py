"""The site's allauth adapter: the real client address and one login protection."""

from allauth.account.adapter import DefaultAccountAdapter

from aimai_site.ratelimit import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's own rate limits key on the same address as ours."""
        return client_address(request)

    def pre_authenticate(self, request, **credentials) -> None:
        """Password failures are counted by aimai_site.login_guard (per address and account,
        with back-off), not by allauth's per-account limit, which lets anyone lock the owner
        out. allauth's `login_failed` rate still guards the second-factor step."""
