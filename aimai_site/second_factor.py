"""Two-factor authentication (allauth's MFA: TOTP and recovery codes), required for the
accounts that can change data or judge it: staff, and anyone given a group or a permission
(editors, reviewers), when MFA_REQUIRED_FOR_STAFF is on (the production default)."""

from django.conf import settings
from django.utils.translation import gettext_noop

# translated where it is sent
SETUP_REQUIRED = gettext_noop(
    "Your account can change the platform's data: set up two-factor authentication "
    "(an authenticator app) on your account page first."
)


def is_privileged(user) -> bool:
    return bool(
        user.is_staff or user.is_superuser or user.groups.exists() or user.user_permissions.exists()
    )


def second_factor_missing(user) -> bool:
    """True when the setting requires a second factor of this account and it has none."""
    if not (settings.MFA_REQUIRED_FOR_STAFF and user.is_authenticated and is_privileged(user)):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
