"""KPI breakdowns (by category, team, person, kind, period) as index-only scans."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0001_work_orders"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                fields=[
                    "project",
                    "reported_at",
                    "kpi_class",
                    "category",
                    "team",
                    "assignee",
                    "kind",
                    "response_seconds",
                    "arrival_seconds",
                    "completion_seconds",
                ],
                name="service_wo_kpi_cover",
            ),
        ),
    ]
