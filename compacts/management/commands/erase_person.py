from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from compacts.services import person_erase


class Command(BaseCommand):
    help = (
        "Erase a person at their request: their commitments, any registry entry naming them "
        "(withheld, every proof intact), their individual organisation's name, their account's "
        "personal data. The account is deactivated, not deleted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="an e-mail address of the account")
        parser.add_argument(
            "--reason",
            required=True,
            help="shown on each withheld registry entry: no personal data here",
        )

    def handle(self, *args, email, reason, **options) -> None:
        users = get_user_model().objects
        user = (
            users.filter(email__iexact=email.strip()).first()
            or users.filter(emailaddress__email__iexact=email.strip()).first()
        )
        if user is None:
            raise CommandError(f"No account with the address {email}.")
        if not reason.strip():
            raise CommandError("Say why: --reason must not be empty.")
        erasure = person_erase(user=user, reason=reason)
        self.stdout.write(
            f"Account {user.pk} erased: {len(erasure.withheld)} registry entries withheld, "
            f"{erasure.commitments} commitments erased, {erasure.organisations} organisations "
            "anonymised."
        )
