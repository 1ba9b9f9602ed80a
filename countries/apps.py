from django.apps import AppConfig


class CountriesConfig(AppConfig):
    name = "countries"
    verbose_name = "Countries and data"

    def ready(self) -> None:
        from countries.current import connect

        connect()  # a change to what public pages show forgets what is current
