import unicodedata

from django.db import migrations

import departments.models


def fold_usernames(apps, schema_editor):
    """Store every username folded (NFKC, case-folded), as accounts are now kept and matched. An account whose
    folded name another account already holds keeps its name: two such accounts are for an administrator to
    merge, not for a migration to guess between."""
    user_model = apps.get_model("departments", "User")
    taken = set(user_model.objects.values_list("username", flat=True))
    for user in user_model.objects.order_by("pk"):
        # The same folding as departments.usernames.fold_username, frozen here as migrations must be.
        folded = unicodedata.normalize("NFKC", user.username).casefold().strip()
        if folded != user.username and folded not in taken:
            taken.discard(user.username)
            taken.add(folded)
            user.username = folded
            user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", departments.models.AccountManager()),
            ],
        ),
        migrations.RunPython(fold_usernames, migrations.RunPython.noop),
    ]
