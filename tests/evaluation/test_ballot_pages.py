"""The ballot pages: what they show, what a good POST stores, and the notices around them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from departments.models import Unit
from evaluation.models import Ballot, BallotCode, BallotComment, BallotValue, GrassrootsParticipation, QuarterStatus
from evaluation.services.inbox import inbox_flush
from evaluation.services.quarters import quarter_create
from tests.evaluation.ballot_helpers import ballot_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def code(quarter, org) -> BallotCode:
    return BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ABCDE23456")


def test_a_code_link_opens_the_grassroots_ballot(quarter, org, code, client_for):
    response = client_for(None).post(reverse("evaluation:ballot_code"), {"code": "abcde-23456", "open": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert org["HRM"].name in page
    for unit in Unit.objects.evaluated():
        assert unit.name in page
    assert 'value="ABCDE-23456"' in page
    assert "0 / 12" in page.replace('<strong id="ballot-filled">', "").replace("</strong>", "").replace(
        '<span id="ballot-total">', ""
    ).replace("</span>", "")


def test_a_code_ballot_is_stored_and_redirects_to_thanks(quarter, org, code, client_for):
    data = ballot_post(quarter, code="ABCDE-23456")
    data[f"c-{org['OPS'].pk}"] = "审批太慢"
    response = client_for(None).post(reverse("evaluation:ballot_code"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:ballot_done")
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    assert ballot.rater is None
    assert ballot.rater_unit == org["HRM"]
    assert BallotValue.objects.count() == 12
    assert BallotComment.objects.get().text == "审批太慢"
    code.refresh_from_db()
    assert code.used


def test_the_code_is_refused_once_used(quarter, code, client_for):
    client = client_for(None)
    client.post(reverse("evaluation:ballot_code"), ballot_post(quarter, code=code.code))
    response = client.post(reverse("evaluation:ballot_code"), {"code": code.code, "open": "1"})
    assert response.status_code == 409
    assert "already been used" in response.content.decode()
    again = client.post(reverse("evaluation:ballot_code"), ballot_post(quarter, code=code.code))
    assert again.status_code == 409
    assert inbox_flush(quarter=quarter) == 1
    assert Ballot.objects.count() == 1


def test_a_logged_in_user_with_a_code_is_not_recorded(quarter, code, client_for, rep):
    client_for(rep).post(reverse("evaluation:ballot_code"), ballot_post(quarter, code=code.code))
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    assert ballot.rater is None
    assert not GrassrootsParticipation.objects.exists()


def test_an_unknown_code_is_refused_with_a_message(quarter, code, client_for):
    response = client_for(None).post(reverse("evaluation:ballot_code"), {"code": "ZZZZZ-99999", "open": "1"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


@pytest.fixture
def fresh_throttle():
    """Wrong codes count against the client in the cache; start and leave it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("fresh_throttle")
@pytest.mark.parametrize("opening", [True, False])
@pytest.mark.parametrize("typed", ["AB\x00CD", "ABCDE-\x0023456", "\x00"])
def test_a_code_with_a_null_character_is_refused_with_a_message(quarter, code, client_for, opening, typed):
    # PostgreSQL refuses NUL in text: such a code is simply not valid, and never reaches a query.
    data = {"code": typed, **({"open": "1"} if opening else {})}
    response = client_for(None).post(reverse("evaluation:ballot_code"), data)
    assert response.status_code == 400
    assert "This ballot code is not valid." in response.content.decode()


def test_a_code_of_a_closed_quarter_shows_voting_is_not_open(quarter, code, client_for):
    quarter.status = QuarterStatus.CLOSED
    quarter.save()
    response = client_for(None).post(reverse("evaluation:ballot_code"), {"code": code.code, "open": "1"})
    assert "is not open" in response.content.decode()
    assert 'name="v-' not in response.content.decode()


def test_the_peer_ballot_leaves_out_the_reps_department(quarter, org, rep, client_for):
    page = client_for(rep).get(reverse("evaluation:ballot_peer")).content.decode()
    assert f'name="v-{org["EQP"].pk}-' in page
    assert f'name="v-{org["OPS"].pk}-' not in page
    assert f'name="c-{org["OPS"].pk}"' not in page


def test_a_rep_submits_the_peer_ballot_once(quarter, org, rep, client_for):
    client = client_for(rep)
    response = client.post(reverse("evaluation:ballot_peer"), ballot_post(quarter, exclude=("OPS",)))
    assert response.status_code == 302
    assert Ballot.objects.get().rater_unit == org["OPS"]
    again = client.get(reverse("evaluation:ballot_peer"))
    assert "Already voted" in again.content.decode()


def test_another_rep_of_the_department_sees_it_has_voted(quarter, org, rep, client_for):
    from departments.roles import Role
    from departments.services import user_create

    client_for(rep).post(reverse("evaluation:ballot_peer"), ballot_post(quarter, exclude=("OPS",)))
    colleague = user_create(username="rep_ops2", full_name="Rep", roles=[Role.DEPARTMENT_REP], unit=org["OPS"])
    response = client_for(colleague).post(reverse("evaluation:ballot_peer"), ballot_post(quarter, exclude=("OPS",)))
    assert "Already voted" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_a_leader_submits(quarter, leader, client_for):
    response = client_for(leader).post(reverse("evaluation:ballot_leadership"), ballot_post(quarter, value="100"))
    assert response.status_code == 302
    assert Ballot.objects.get().rater == leader
    assert set(BallotValue.objects.values_list("value_centi", flat=True)) == {10000}


def test_abstentions_are_not_stored(quarter, org, leader, client_for):
    data = ballot_post(quarter)
    first = next(key for key in data if key.startswith("v-"))
    data[first] = "na"
    client_for(leader).post(reverse("evaluation:ballot_leadership"), data)
    assert BallotValue.objects.count() == 11


def test_a_grassroots_account_votes_once(quarter, org, grassroots_rater, client_for):
    client = client_for(grassroots_rater)
    assert client.post(reverse("evaluation:ballot_grassroots"), ballot_post(quarter)).status_code == 302
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    assert ballot.rater is None
    assert ballot.rater_unit == org["HRM"]
    assert GrassrootsParticipation.objects.get().user == grassroots_rater
    assert "Already voted" in client.get(reverse("evaluation:ballot_grassroots")).content.decode()


def test_no_open_quarter_shows_a_clear_page(quarter, leader, client_for):
    quarter.status = QuarterStatus.CLOSED
    quarter.save()
    response = client_for(leader).get(reverse("evaluation:ballot_leadership"))
    assert response.status_code == 200
    assert "No quarter is open" in response.content.decode()


def test_several_open_quarters_offer_a_choice(quarter, leader, client_for):
    other = quarter_create(code="2026Q4")
    other.status = QuarterStatus.OPEN
    other.save()
    client = client_for(leader)
    page = client.get(reverse("evaluation:ballot_leadership")).content.decode()
    assert "?quarter=2026Q3" in page
    assert "?quarter=2026Q4" in page
    chosen = client.get(reverse("evaluation:ballot_leadership"), {"quarter": "2026Q4"}).content.decode()
    assert 'name="quarter" value="2026Q4"' in chosen
    response = client.post(reverse("evaluation:ballot_leadership"), ballot_post(other))
    assert response.status_code == 302
    assert Ballot.objects.get().quarter == other


def test_a_rep_without_an_evaluated_department_is_told(quarter, org, client_for):
    from departments.roles import Role
    from departments.services import user_create

    odd = user_create(username="odd", full_name="Odd", roles=[Role.DEPARTMENT_REP], unit=org["HRM"])
    response = client_for(odd).get(reverse("evaluation:ballot_peer"))
    assert response.status_code == 403
    assert "evaluated department" in response.content.decode()


def test_the_thank_you_page_names_nobody(quarter, code, client_for):
    client = client_for(None)
    response = client.post(reverse("evaluation:ballot_code"), ballot_post(quarter, code=code.code), follow=True)
    page = response.content.decode()
    assert "Thank you" in page
    assert "ABCDE" not in page
    inbox_flush(quarter=quarter)
    assert str(Ballot.objects.get().pk) not in page


def test_a_45_department_ballot_takes_a_constant_number_of_queries(
    quarter, org, leader, client_for, django_assert_max_num_queries
):
    from departments.models import UnitKind

    Unit.objects.bulk_create(
        Unit(code=f"D{index:02d}", name=f"部门{index:02d}", kind=UnitKind.FUNCTIONAL, order=100 + index)
        for index in range(41)
    )
    client = client_for(leader)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("evaluation:ballot_leadership")).content.decode()
    assert page.count('class="ballot-dept-name') == 45
    with django_assert_max_num_queries(25):
        response = client.post(reverse("evaluation:ballot_leadership"), ballot_post(quarter))
    assert response.status_code == 302
    assert BallotValue.objects.count() == 45 * 3


def test_names_are_escaped_in_the_grid(quarter, org, leader, client_for):
    Unit.objects.filter(code="EQP").update(name="<b>设备部</b>")
    page = client_for(leader).get(reverse("evaluation:ballot_leadership")).content.decode()
    assert "<b>设备部</b>" not in page
    assert "&lt;b&gt;设备部&lt;/b&gt;" in page
