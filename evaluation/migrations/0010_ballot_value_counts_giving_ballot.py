from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0009_rater_assignments'),
    ]

    operations = [
        # The flag is set on existing rows below, after the column exists (see BallotValue.counts_giving_ballot):
        # of each ballot's rows flagged `counts_ballot` (one per department), the one of the lowest department.
        migrations.AddField(
            model_name='ballotvalue',
            name='counts_giving_ballot',
            field=models.BooleanField(default=False),
        ),
        migrations.RunSQL(
            "UPDATE evaluation_ballotvalue SET counts_giving_ballot = TRUE"
            " WHERE counts_ballot AND department_id = ("
            " SELECT MIN(w.department_id) FROM evaluation_ballotvalue w"
            " WHERE w.ballot_id = evaluation_ballotvalue.ballot_id)",
            migrations.RunSQL.noop,
        ),
    ]
