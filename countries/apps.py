from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountriesConfig(AppConfig):
    name = "countries"
    verbose_name = _("Countries and data")

    def ready(self) -> None:
        from countries import translatable
        from countries.current import connect

        connect()  # a change to what public pages show forgets what is current
        translatable.register()  # editors translate release notes and methodology texts
