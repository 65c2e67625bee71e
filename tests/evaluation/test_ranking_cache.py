"""The ranking tables of a published quarter are rendered once and then served from the cache.

The cached variant depends on the snapshot, the language and the department links the reader gets; provisional
results are never cached.
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.roles import Role
from departments.services import user_create
from evaluation.models import Ballot, QuarterStatus
from evaluation.services.lifecycle import quarter_transition
from tests.conftest import DEMO_PASSWORD
from tests.evaluation.results_pages_data import example_published
from tests.evaluation.scoring_data import build_examples_1_and_2, example_org, make_leader, make_quarter

TABLES = "evaluation/results/_ranking_tables.html"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(org, leader):
    return example_published(org, leader)


def _url(code: str = "2026Q2") -> str:
    return reverse("evaluation:ranking", args=[code])


def _detail_link(code: str, department: str) -> str:
    return f'href="{reverse("evaluation:department", args=[code, department])}"'


def _get(client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    rendered = [template.name for template in response.templates]
    return response, len(queries), rendered


def test_a_second_request_is_served_from_the_cache_without_rendering_the_tables(published, client_for, viewer):
    client = client_for(viewer)

    first, first_queries, first_templates = _get(client, _url())
    second, second_queries, second_templates = _get(client, _url())

    assert TABLES in first_templates
    assert TABLES not in second_templates
    assert second_queries < first_queries
    assert "85.55" in second.text and "80.04" in second.text
    assert second.text.count("<tbody>") == first.text.count("<tbody>") == 2


def test_another_reader_with_the_same_rights_shares_the_cached_tables(published, client_for, viewer, grassroots_rater):
    _get(client_for(viewer), _url())

    _response, _queries, templates = _get(client_for(grassroots_rater), _url())

    assert TABLES not in templates


def test_readers_with_different_rights_never_see_each_others_tables(published, client_for, rep, other_rep, viewer):
    ops, eqp, aud = (_detail_link("2026Q2", code) for code in ("OPS", "EQP", "AUD"))

    as_rep, _q, _t = _get(client_for(rep), _url())
    as_viewer, _q, viewer_templates = _get(client_for(viewer), _url())
    as_other_rep, _q, other_templates = _get(client_for(other_rep), _url())
    again_rep, _q, rep_templates = _get(client_for(rep), _url())

    assert ops in as_rep.text and eqp not in as_rep.text and aud not in as_rep.text
    assert ops in as_viewer.text and eqp in as_viewer.text and aud in as_viewer.text
    assert eqp in as_other_rep.text and ops not in as_other_rep.text
    assert again_rep.text.count('<a href="/results/2026Q2/') == as_rep.text.count('<a href="/results/2026Q2/')
    assert ops in again_rep.text and eqp not in again_rep.text
    # Each reader's variant was rendered for them, then the rep's own came back from the cache.
    assert TABLES in viewer_templates and TABLES in other_templates and TABLES not in rep_templates


def test_the_language_switch_gives_the_other_language(published, client_for, viewer, settings):
    client = client_for(viewer)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese, _q, _t = _get(client, _url())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english, _q, english_templates = _get(client, _url())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese_again, _q, chinese_templates = _get(client, _url())

    assert 'class="sticky-rank">名次</th>' in chinese.text
    assert 'class="sticky-rank">Rank</th>' in english.text and "名次" not in english.text
    assert TABLES in english_templates
    assert 'class="sticky-rank">名次</th>' in chinese_again.text and TABLES not in chinese_templates


def test_a_reopened_and_republished_quarter_shows_the_new_numbers(db, client_for):
    units = example_org()
    leader = make_leader()
    quarter = make_quarter("2026Q3", status=QuarterStatus.CLOSED)
    build_examples_1_and_2(quarter, units, leader)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    client = client_for(leader)
    url = _url(quarter.code)

    before, _q, _t = _get(client, url)
    cached, _q, cached_templates = _get(client, url)
    assert "89.93" in before.text and "74.00" in before.text  # docs/scoring.md examples 1 and 2
    assert TABLES not in cached_templates and "89.93" in cached.text

    quarter_transition(quarter=quarter, to=QuarterStatus.CLOSED, reason="a late correction")
    Ballot.objects.filter(source="leadership").update(voided_at=timezone.now(), void_reason="late")
    provisional, _q, _t = _get(client, url)
    quarter_transition(quarter=quarter, to=QuarterStatus.PUBLISHED)
    after, _q, after_templates = _get(client, url)

    assert "provisional-banner" in provisional.text and "89.93" not in provisional.text
    assert "provisional-banner" not in after.text
    assert TABLES in after_templates
    assert "89.93" not in after.text and "74.00" not in after.text
    assert after.text.count("<tbody>") == before.text.count("<tbody>")


def test_provisional_results_are_never_cached(quarter, client_for, evaluator):
    client = client_for(evaluator)

    _first, _q, first_templates = _get(client, _url(quarter.code))
    second, _q, second_templates = _get(client, _url(quarter.code))

    assert TABLES in first_templates and TABLES in second_templates
    assert "provisional-banner" in second.text
    assert not any(key for key in getattr(cache, "_cache", {}) if "results:ranking" in str(key))


PAGE = "evaluation/results/ranking.html"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_readers_share_the_rendered_page_each_with_their_own_name_and_a_working_csrf_token(published, viewer):
    second = user_create(username="viewer2", full_name="第二位读者 <b>", roles=[Role.VIEWER], password=DEMO_PASSWORD)
    first_client, second_client = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_client.force_login(viewer)
    second_client.force_login(second)

    first, _q, first_templates = _get(first_client, _url())
    shared, _q, shared_templates = _get(second_client, _url())

    assert PAGE in first_templates and PAGE not in shared_templates  # rendered once, then shared
    assert "Viewer1" in first.text and "第二位读者" not in first.text
    assert "第二位读者 &lt;b&gt;" in shared.text and "Viewer1" not in shared.text
    tokens = TOKEN.findall(shared.text)
    assert len(tokens) == 2 and tokens[0] != TOKEN.findall(first.text)[0]  # masked afresh for every response
    assert "85.55" in shared.text and shared.text.count("<tbody>") == first.text.count("<tbody>")
    # The token filled into the shared page is this reader's own: the language switch it carries is accepted.
    switched = second_client.post(
        reverse("set_language"), {"csrfmiddlewaretoken": tokens[0], "language": "en", "next": _url()}
    )
    assert switched.status_code == 302


def test_readers_with_other_permissions_get_their_own_navigation(published, client_for, viewer, evaluator):
    as_viewer, _q, _t = _get(client_for(viewer), _url())
    as_evaluator, _q, evaluator_templates = _get(client_for(evaluator), _url())

    quarters = f'href="{reverse("evaluation:quarter_list")}"'
    assert quarters in as_evaluator.text and quarters not in as_viewer.text
    assert PAGE in evaluator_templates


def test_an_address_with_a_query_string_is_rendered_for_itself(published, client_for, viewer):
    client = client_for(viewer)
    _get(client, _url())

    response, _q, templates = _get(client, _url() + "?from=home")

    assert PAGE in templates
    assert 'name="next" type="hidden" value="/results/2026Q2/?from=home"' in response.text


def test_renaming_a_programmes_sources_shows_on_the_next_request(published, client_for, viewer):
    from departments.models import Programme

    client = client_for(viewer)
    _get(client, _url())
    Programme.objects.filter(code="workstyle").update(label_grassroots="厂矿评议")

    again, _queries, templates = _get(client, _url())

    assert TABLES in templates  # rendered afresh, not served from the cache
    assert "厂矿评议" in again.text


def test_a_browser_asking_for_gzip_gets_the_shared_page_compressed_with_its_own_values(published, viewer):
    second = user_create(username="viewer3", full_name="第三位读者 <i>", roles=[Role.VIEWER], password=DEMO_PASSWORD)
    first_client, second_client = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_client.force_login(viewer)
    second_client.force_login(second)
    first_client.get(_url())  # renders and keeps the page

    plain, _q, _t = _get(second_client, _url())
    compressed = second_client.get(_url(), headers={"accept-encoding": "gzip, deflate, br"})

    assert compressed.status_code == 200 and compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert "Content-Encoding" not in plain
    page = gzip.decompress(compressed.content).decode()  # one valid gzip member: its CRC and length checked
    assert "第三位读者 &lt;i&gt;" in page and "Viewer1" not in page
    tokens = TOKEN.findall(page)
    assert len(tokens) == 2 and tokens[0] != TOKEN.findall(plain.text)[0]
    assert TOKEN.sub("", page) == TOKEN.sub("", plain.text)  # the same page, each with its own token
    assert len(compressed.content) < len(plain.content) / 2
    switched = second_client.post(
        reverse("set_language"), {"csrfmiddlewaretoken": tokens[0], "language": "en", "next": _url()}
    )
    assert switched.status_code == 302
