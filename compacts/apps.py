from django.apps import AppConfig


class CompactsConfig(AppConfig):
    name = "compacts"
    verbose_name = "Members and compacts"

    def ready(self) -> None:
        from compacts.alliance import translatable
        from compacts.alliance.services import membership_appeal_check
        from compacts.consultation.selectors import version_proposals
        from compacts.indicator import commitment_rows, compacts_counted_for
        from compacts.receivers import score_set_published
        from compacts.selectors import country_compacts
        from countries.providers import provide
        from countries.publication import published
        from registry.redress import concern_check_register

        published.connect(score_set_published, dispatch_uid="compacts-score-set-suggestions")
        translatable.register()  # editors translate the principles
        # the index counts compacts and country pages list them: the countries app asks here
        provide(
            commitment_rows=commitment_rows,
            country_compacts=country_compacts,
            compacts_counted_for=compacts_counted_for,
        )
        # the methodology page's changelog links a version to the proposal it was adopted from
        provide(version_proposals=version_proposals)
        # a declined applicant appeals once, through a concern about the decision
        concern_check_register("membership", membership_appeal_check)
