from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from config.collector import tune_collector
        from departments.roles import sync_role_groups
        from evaluation.references import install_references, remove_references_on_sqlite

        # After this app's permissions exist (it is the last project app), give each role its own.
        post_migrate.connect(sync_role_groups, sender=self)
        # After every migrate: the ballot values' references, checked per statement (evaluation.references).
        post_migrate.connect(install_references, sender=self)
        pre_migrate.connect(remove_references_on_sqlite, sender=self)
        # The last app ready: what starting the process made is made.
        tune_collector()
