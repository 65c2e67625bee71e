"""The quarter console in the browser's place: list, create, settings form, lifecycle buttons, audit page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from evaluation.criteria_templates import CriterionSpec, LevelSpec
from evaluation.models import Quarter, QuarterStatus, Source
from evaluation.services.ballots import ballot_submit
from evaluation.services.quarters import criteria_specs, level_specs, quarter_update_settings

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _settings_post(quarter: Quarter, **overrides: str) -> dict[str, str]:
    data = {
        "title": quarter.title,
        "scale": quarter.scale,
        "weight_grassroots": str(quarter.weight_grassroots),
        "weight_peer": str(quarter.weight_peer),
        "weight_leadership": str(quarter.weight_leadership),
        "trim_min_n": str(quarter.trim_min_n),
        "min_ballots_grassroots": "1",
        "min_ballots_peer": "1",
        "min_ballots_leadership": "1",
        "anonymity_k": str(quarter.anonymity_k),
        "opens_at": "",
        "closes_at": "",
        "levels_text": "优秀, 100\n良好, 80\n一般, 60\n较差, 40",
        "criteria_text": "efficiency, 办事效率, 1\nquality, 完成质量, 1\nservice, 服务意识, 1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def closed(quarter) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.CLOSED)
    quarter.refresh_from_db()
    return quarter


def test_the_list_shows_every_quarter_with_status_and_ballots(quarter, org, rep, client_for, evaluator) -> None:
    criterion = quarter.criteria.first()
    ballot_submit(quarter=quarter, source=Source.PEER, values={(org["EQP"].pk, criterion.pk): Decimal(80)}, rater=rep)
    page = client_for(evaluator).get(reverse("evaluation:quarter_list"), **EN).content.decode()
    assert "2026Q3" in page
    assert "Open" in page
    assert '<td class="text-end score">1</td>' in page


def test_it_creates_a_quarter_from_a_template(org, client_for, evaluator) -> None:
    response = client_for(evaluator).post(
        reverse("evaluation:quarter_create"), {"code": "2026q4", "start_from": "party_branch"}
    )
    assert response.status_code == 302
    quarter = Quarter.objects.get(code="2026Q4")
    assert response["Location"] == reverse("evaluation:console", args=["2026Q4"])
    assert quarter.template == "party_branch"
    assert quarter.criteria.count() == 4


def test_it_creates_a_quarter_from_the_previous_one(closed, client_for, evaluator) -> None:
    Quarter.objects.filter(pk=closed.pk).update(weight_grassroots=50, weight_peer=20)
    client_for(evaluator).post(reverse("evaluation:quarter_create"), {"code": "2026Q4", "start_from": "previous"})
    assert Quarter.objects.get(code="2026Q4").weight_grassroots == 50


@pytest.mark.parametrize(
    "data",
    [
        {"code": "2026Q3", "start_from": "work_style"},
        {"code": "26Q3", "start_from": "work_style"},
        {"code": "2026Q4", "start_from": "nope"},
    ],
)
def test_bad_create_posts_show_the_form_again_and_change_nothing(quarter, client_for, evaluator, data) -> None:
    response = client_for(evaluator).post(reverse("evaluation:quarter_create"), data)
    assert response.status_code == 200
    assert Quarter.objects.count() == 1


def test_copying_without_an_earlier_quarter_is_refused_with_a_message(org, client_for, evaluator) -> None:
    response = client_for(evaluator).post(
        reverse("evaluation:quarter_create"), {"code": "2026Q1", "start_from": "previous"}, **EN
    )
    assert "no earlier quarter" in response.content.decode()
    assert not Quarter.objects.exists()


def test_the_settings_form_saves_and_audits(closed, client_for, evaluator) -> None:
    data = _settings_post(
        closed,
        weight_grassroots="50",
        weight_peer="20",
        trim="on",
        criteria_text="speed, 速度, 2\ncare, 用心, 1",
    )
    response = client_for(evaluator).post(reverse("evaluation:console", args=[closed.code]), data)
    assert response.status_code == 302
    closed.refresh_from_db()
    assert (closed.weight_grassroots, closed.weight_peer, closed.trim) == (50, 20, True)
    assert [spec.code for spec in criteria_specs(closed)] == ["speed", "care"]
    assert AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED, actor=evaluator).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weight_grassroots": "50"}, "add up to 100"),
        ({"criteria_text": "speed, 速度"}, "code, a name and a weight"),
        ({"criteria_text": "speed, 速度, 0"}, "above 0"),
        ({"criteria_text": "speed, 速度, abc"}, "is not a number"),
        ({"levels_text": "好, 120"}, "between 0 and 100"),
        ({"levels_text": "好, 90\n好, 80"}, "own label"),
        ({"trim_min_n": "2"}, "3"),
        ({"anonymity_k": "0"}, ""),
        ({"opens_at": "2026-07-10T08:00", "closes_at": "2026-07-01T08:00"}, "open before it closes"),
    ],
)
def test_bad_settings_are_refused_with_a_message(closed, client_for, evaluator, overrides, message) -> None:
    response = client_for(evaluator).post(
        reverse("evaluation:console", args=[closed.code]), _settings_post(closed, **overrides), **EN
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()
    closed.refresh_from_db()
    assert closed.weight_grassroots == 40
    assert closed.criteria.count() == 3


@pytest.fixture
def draft(quarter) -> Quarter:
    Quarter.objects.filter(pk=quarter.pk).update(status=QuarterStatus.DRAFT)
    quarter.refresh_from_db()
    return quarter


LEVELS_RANGE = "Line 1: points must be between 0 and 100, with at most two decimals."
WEIGHT_RANGE = "Line 2: the weight must be above 0 and below 10000, with at most four decimals."


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("levels_text", "优秀, 1e999999999", LEVELS_RANGE),
        ("levels_text", "优秀, -1e999999999", LEVELS_RANGE),
        ("levels_text", "优秀, 1e-999999999", LEVELS_RANGE),
        ("levels_text", "优秀, 1e999999\n良好, 80", LEVELS_RANGE),
        ("levels_text", "优秀, 80.555", LEVELS_RANGE),
        ("levels_text", "优秀, NaN", "Line 1: NaN is not a number."),
        ("levels_text", "优秀, sNaN", "Line 1: sNaN is not a number."),
        ("criteria_text", "efficiency, 办事效率, 1\nquality, 完成质量, 1e999999999", WEIGHT_RANGE),
        ("criteria_text", "efficiency, 办事效率, 1\nquality, 完成质量, -1e999999999", WEIGHT_RANGE),
        ("criteria_text", "efficiency, 办事效率, 1\nquality, 完成质量, 1e-999999999", WEIGHT_RANGE),
        ("criteria_text", "efficiency, 办事效率, 1\nquality, 完成质量, 10000", WEIGHT_RANGE),
        ("criteria_text", "efficiency, 办事效率, 1\nquality, 完成质量, 0.00001", WEIGHT_RANGE),
        ("criteria_text", "efficiency, 办事效率, 1\nquality, 完成质量, Infinity", "Line 2: Infinity is not a number."),
    ],
)
def test_absurd_numbers_are_refused_on_their_field(draft, client_for, evaluator, field, text, message) -> None:
    # 1e999999999 overflowed in Decimal arithmetic before any range check: a server error, now a field error.
    response = client_for(evaluator).post(
        reverse("evaluation:console", args=[draft.code]), _settings_post(draft, **{field: text}), **EN
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()
    assert [(s.label, s.points) for s in level_specs(draft)] == [
        ("优秀", Decimal(100)),
        ("良好", Decimal(80)),
        ("一般", Decimal(60)),
        ("较差", Decimal(40)),
    ]
    assert [(s.code, s.weight) for s in criteria_specs(draft)] == [
        ("efficiency", Decimal(1)),
        ("quality", Decimal(1)),
        ("service", Decimal(1)),
    ]


def test_the_settings_service_refuses_absurd_numbers_with_a_message(draft, evaluator) -> None:
    # The form stops them first; any other caller gets a ValidationError, not an overflow.
    for levels in ([LevelSpec("优秀", Decimal("1e999999999"))], [LevelSpec("优秀", Decimal("NaN"))]):
        with pytest.raises(ValidationError, match="points must be between 0 and 100"):
            quarter_update_settings(quarter=draft, actor=evaluator, levels=levels)
    with pytest.raises(ValidationError, match="quality"):
        quarter_update_settings(
            quarter=draft,
            actor=evaluator,
            criteria=[
                CriterionSpec("efficiency", "办事效率", Decimal(1)),
                CriterionSpec("quality", "质量", Decimal("1e999999999")),
            ],
        )
    assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


def test_settings_are_read_only_with_the_reason_once_ballots_exist(closed, org, rep, client_for, evaluator) -> None:
    Quarter.objects.filter(pk=closed.pk).update(status=QuarterStatus.OPEN)
    closed.refresh_from_db()
    criterion = closed.criteria.first()
    ballot_submit(quarter=closed, source=Source.PEER, values={(org["EQP"].pk, criterion.pk): Decimal(80)}, rater=rep)
    client = client_for(evaluator)
    url = reverse("evaluation:console", args=[closed.code])
    page = client.get(url, **EN).content.decode()
    assert "holds ballots" in page
    assert 'name="weight_grassroots"' in page and "disabled" in page
    # A tampered post of a disabled field changes nothing; the window may still move.
    client.post(url, _settings_post(closed, weight_grassroots="50", weight_peer="20", closes_at="2030-01-01T08:00"))
    closed.refresh_from_db()
    assert closed.weight_grassroots == 40
    assert closed.closes_at is not None


def test_the_lifecycle_buttons_offer_only_allowed_transitions(closed, client_for, evaluator, admin_user) -> None:
    url = reverse("evaluation:console", args=[closed.code])
    page = client_for(evaluator).get(url).content.decode()
    assert 'value="open"' in page and 'value="published"' in page
    assert 'name="to" value="closed"' not in page
    Quarter.objects.filter(pk=closed.pk).update(status=QuarterStatus.PUBLISHED)
    assert 'name="to"' not in client_for(evaluator).get(url).content.decode()
    assert 'name="to" value="closed"' in client_for(admin_user).get(url).content.decode()


def test_a_transition_post_changes_the_status_and_is_audited(closed, client_for, evaluator) -> None:
    response = client_for(evaluator).post(reverse("evaluation:transition", args=[closed.code]), {"to": "published"})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == QuarterStatus.PUBLISHED
    assert AuditEntry.objects.get(action=AuditAction.STATUS_CHANGED).actor == evaluator


def test_a_refused_transition_shows_why(closed, client_for, evaluator) -> None:
    Quarter.objects.filter(pk=closed.pk).update(status=QuarterStatus.PUBLISHED)
    client = client_for(evaluator)
    response = client.post(
        reverse("evaluation:transition", args=[closed.code]), {"to": "closed", "reason": "x"}, follow=True, **EN
    )
    assert "may not make this change" in response.content.decode()
    assert Quarter.objects.get(pk=closed.pk).status == QuarterStatus.PUBLISHED
    response = client.post(reverse("evaluation:transition", args=[closed.code]), {"to": "bogus"}, follow=True, **EN)
    assert "Choose a valid status" in response.content.decode()


def test_an_admin_reopens_a_published_quarter_with_a_reason(closed, client_for, admin_user) -> None:
    client = client_for(admin_user)
    url = reverse("evaluation:transition", args=[closed.code])
    client.post(url, {"to": "published"})
    client.post(url, {"to": "closed"})
    assert Quarter.objects.get(pk=closed.pk).status == QuarterStatus.PUBLISHED
    client.post(url, {"to": "closed", "reason": "wrong adjustment"})
    assert Quarter.objects.get(pk=closed.pk).status == QuarterStatus.CLOSED


def test_the_audit_page_shows_who_or_the_system_and_the_reason(closed, client_for, evaluator, admin_user) -> None:
    from django.core.management import call_command

    call_command("set_quarter_status", closed.code, "published")
    client_for(admin_user).post(
        reverse("evaluation:transition", args=[closed.code]), {"to": "closed", "reason": "wrong adjustment"}
    )
    page = client_for(evaluator).get(reverse("evaluation:audit", args=[closed.code]), **EN).content.decode()
    assert "system" in page
    assert str(admin_user) in page
    assert "wrong adjustment" in page
    assert "Status changed" in page


def test_the_audit_log_reads_in_the_readers_language_whoever_acted_in_which(closed, client_for, admin_user) -> None:
    from django.utils import translation

    url = reverse("evaluation:transition", args=[closed.code])
    client_for(admin_user).post(url, {"to": "published"}, **EN)  # acted in English
    client_for(admin_user).post(url, {"to": "closed", "reason": "wrong adjustment"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    audit = reverse("evaluation:audit", args=[closed.code])
    english = client_for(admin_user).get(audit, **EN).content.decode()
    chinese = client_for(admin_user).get(audit, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for language, page in (("en", english), ("zh-hans", chinese)):
        with translation.override(language):
            closed_label, published_label = str(QuarterStatus.CLOSED.label), str(QuarterStatus.PUBLISHED.label)
            line = translation.gettext("%(code)s: %(from)s → %(to)s")
        assert line % {"code": closed.code, "from": closed_label, "to": published_label} in page
        assert line % {"code": closed.code, "from": published_label, "to": closed_label} in page
    assert AuditEntry.objects.filter(summary__contains="→").count() == 2
