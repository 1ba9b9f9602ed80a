from django.apps import AppConfig


class CountriesConfig(AppConfig):
    name = "countries"
    verbose_name = "Countries and data"

    def ready(self) -> None:
        from countries import translatable
        from countries.current import connect

        connect()  # a change to what public pages show forgets what is current
        translatable.register()  # editors translate release notes and methodology texts
