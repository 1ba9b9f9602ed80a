from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Transparency registry")

    def ready(self) -> None:
        from countries.publication import published
        from registry.receivers import publication_append

        published.connect(publication_append, dispatch_uid="registry-publication-append")

        from aimai_site.health import readiness_check
        from registry.health import head_check

        readiness_check("registry", head_check)
