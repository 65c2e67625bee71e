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
