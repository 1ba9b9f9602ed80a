from django.apps import AppConfig


class CompactsConfig(AppConfig):
    name = "compacts"
    verbose_name = "Members and compacts"

    def ready(self) -> None:
        from compacts.receivers import score_set_published
        from countries.publication import published

        published.connect(score_set_published, dispatch_uid="compacts-score-set-suggestions")
