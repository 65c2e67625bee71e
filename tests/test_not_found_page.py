"""In development mode too, a reader who opens a quarter not published yet gets the site's page, not Django's."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from evaluation.models import QuarterStatus

TITLE = {"zh-hans": "页面不存在", "en": "Page not found"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", [QuarterStatus.DRAFT, QuarterStatus.OPEN, QuarterStatus.CLOSED])
def test_a_viewer_opening_an_unpublished_quarter_gets_the_friendly_page(
    settings, client_for, viewer, quarter, language, status
):
    settings.DEBUG = True
    quarter.status = status
    quarter.save(update_fields=["status"])
    client = client_for(viewer)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    for url in (
        reverse("evaluation:ranking", args=[quarter.code]),
        reverse("evaluation:department", args=[quarter.code, "OPS"]),
    ):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 404
        assert [t.name for t in response.templates][:1] == ["404.html"]
        assert TITLE[language] in page
        assert "URLconf" not in page and "Raised by" not in page
