"""The public consultation on methodology changes: proposals, comments and supports; editors
moderate comments and decide on proposals."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import aimai_site.validators
from compacts.editors import editors_grant, editors_revoke

CODENAMES = [
    "decide_methodologyproposal",
    "view_methodologyproposal",
    "view_proposalcomment",
    "view_proposalsupport",
]


def grant_editors(apps, schema_editor):
    editors_grant(apps, CODENAMES)


def revoke_editors(apps, schema_editor):
    editors_revoke(apps, CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0010_oversight_roles"),
        ("countries", "0017_score_set_backcast"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MethodologyProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        max_length=200, validators=[aimai_site.validators.PlainTextValidator()]
                    ),
                ),
                (
                    "rationale",
                    models.TextField(
                        validators=[aimai_site.validators.PlainTextValidator(multiline=True)],
                        verbose_name="why",
                    ),
                ),
                ("definition", models.JSONField(help_text="The methodology as proposed.")),
                ("definition_digest", models.CharField(db_index=True, max_length=64)),
                (
                    "source",
                    models.TextField(help_text="The methodology file as proposed (YAML or JSON)."),
                ),
                (
                    "explorer_state",
                    models.CharField(
                        blank=True,
                        help_text="The explorer's query string it came from, if any.",
                        max_length=2000,
                    ),
                ),
                (
                    "changes",
                    models.JSONField(default=list, help_text="What changes, one line each."),
                ),
                (
                    "shifts",
                    models.JSONField(
                        default=list,
                        help_text="Every country's published and proposed rank, AIMAI and class.",
                    ),
                ),
                ("period_days", models.PositiveSmallIntegerField(default=30)),
                ("opens_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("closes_at", models.DateTimeField()),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open for comment"),
                            ("closed", "Comments closed, awaiting the editors' decision"),
                            ("adopted", "Adopted"),
                            ("adopted_in_part", "Adopted in part"),
                            ("declined", "Declined"),
                            ("withdrawn", "Withdrawn by its author"),
                        ],
                        db_index=True,
                        default="open",
                        max_length=20,
                    ),
                ),
                (
                    "decision_reason",
                    models.TextField(
                        blank=True,
                        validators=[aimai_site.validators.PlainTextValidator(multiline=True)],
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                (
                    "adopted_version",
                    models.ForeignKey(
                        blank=True,
                        help_text="The methodology version published from it.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="countries.methodologyversion",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "base_version",
                    models.ForeignKey(
                        help_text="The published version the proposal changes.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="countries.methodologyversion",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        help_text="The member of the alliance the author proposed it for.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="methodology_proposals",
                        to="compacts.organisation",
                    ),
                ),
                (
                    "score_set",
                    models.ForeignKey(
                        help_text="The score set the rank shifts were computed on.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="countries.scoreset",
                    ),
                ),
            ],
            options={
                "ordering": ["-opens_at", "-pk"],
                "permissions": [
                    (
                        "decide_methodologyproposal",
                        "Can moderate comments on methodology proposals and decide on them",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ProposalComment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        validators=[aimai_site.validators.PlainTextValidator(multiline=True)]
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "hidden_reason",
                    models.TextField(
                        blank=True,
                        validators=[aimai_site.validators.PlainTextValidator(multiline=True)],
                    ),
                ),
                ("hidden_at", models.DateTimeField(blank=True, null=True)),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hidden_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="compacts.organisation",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="compacts.methodologyproposal",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ProposalSupport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="supports",
                        to="compacts.methodologyproposal",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="methodologyproposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("period_days__gte", 14), ("period_days__lte", 90)),
                name="proposal_period_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="methodologyproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("adopted_version__isnull", False)),
                fields=("adopted_version",),
                name="one_proposal_per_adopted_version",
            ),
        ),
        migrations.AddConstraint(
            model_name="proposalsupport",
            constraint=models.UniqueConstraint(
                fields=("proposal", "user"), name="one_support_per_account"
            ),
        ),
        migrations.RunPython(grant_editors, revoke_editors),
    ]
