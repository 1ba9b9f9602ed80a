from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Transparency registry"

    def ready(self) -> None:
        from countries.publication import published
        from registry.receivers import publication_append

        published.connect(publication_append, dispatch_uid="registry-publication-append")

        from aimai_site.health import readiness_check
        from registry.health import head_check

        readiness_check("registry", head_check)
