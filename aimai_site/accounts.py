"""What every app asks of an account."""

from allauth.account.models import EmailAddress


def has_verified_email(user) -> bool:
    """Whether the account has confirmed an e-mail address: the gate for anything that acts
    in its name (organisations, concerns, API tokens)."""
    return EmailAddress.objects.filter(user=user, verified=True).exists()
