import re
from pathlib import Path

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_renders_in_chinese_by_default(client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_it_creates_the_role_groups(admin_user) -> None:
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "admin",
        "evaluator",
        "leader",
        "department_rep",
        "grassroots_rater",
        "viewer",
    }
    assert admin_user.has_perm("evaluation.manage_quarters")


def test_no_page_or_stylesheet_loads_anything_from_another_site() -> None:
    """Intranets have no internet: every asset our templates and static files name is served by the app."""
    root = Path(__file__).resolve().parent.parent
    external = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""")
    files = [*root.glob("templates/**/*.html"), *root.glob("static/**/*.css"), *root.glob("static/**/*.js")]
    assert len(files) > 20
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}" for path in files for match in external.finditer(path.read_text())
    ]
    assert offenders == []
