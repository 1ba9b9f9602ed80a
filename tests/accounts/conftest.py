"""Accounts with known passwords, and addresses to send requests from."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

PASSWORD = "correct horse battery staple"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def account_make(email: str, *, verified: bool = True, **extra):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=PASSWORD, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def member(db):
    return account_make("amina@example.org")


@pytest.fixture
def staff_member(db):
    return account_make("kwame@example.org", is_staff=True, is_superuser=True)
