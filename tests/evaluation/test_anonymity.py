"""The schema cannot link a grassroots ballot to a code, a person, a device or a time of day."""

from __future__ import annotations

import pytest
from django.db import models

from evaluation.models import (
    Ballot,
    BallotCode,
    BallotComment,
    BallotInbox,
    BallotValue,
    GrassrootsParticipation,
    Source,
)
from evaluation.services.ballots import ballot_submit
from evaluation.services.inbox import inbox_flush
from tests.evaluation.ballot_helpers import full_values

BALLOT_MODELS = (Ballot, BallotValue, BallotComment)
# Words that would betray who sent a ballot, or from where.
IDENTIFYING = ("code", "ip", "address", "agent", "session", "device", "user", "token", "email", "host")
# The only user link a Ballot has: `rater`, which the database forbids on grassroots ballots.
ALLOWED_USER_LINKS = {(Ballot, "rater"), (Ballot, "voided_by")}


def concrete_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.get_fields() if field.concrete]


def test_no_ballot_field_points_at_a_code_or_participation():
    for model in BALLOT_MODELS:
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None:
                assert field.related_model not in (BallotCode, GrassrootsParticipation), (model, field.name)


def test_codes_and_participation_never_point_at_a_ballot():
    for model in (BallotCode, GrassrootsParticipation):
        for field in model._meta.get_fields():
            if field.is_relation:
                assert field.related_model not in BALLOT_MODELS, (model, field.name)


def test_no_ballot_field_names_a_code_ip_agent_or_session():
    for model in BALLOT_MODELS:
        for field in concrete_fields(model):
            words = field.name.lower().split("_")
            assert not any(word in IDENTIFYING for word in words) or (model, field.name) in ALLOWED_USER_LINKS, (
                model,
                field.name,
            )


def test_user_links_on_ballots_are_only_the_rater_and_the_voider():
    from django.contrib.auth import get_user_model

    for model in BALLOT_MODELS:
        for field in concrete_fields(model):
            if field.is_relation and field.related_model is get_user_model():
                assert (model, field.name) in ALLOWED_USER_LINKS, (model, field.name)


def test_no_ballot_time_is_finer_than_a_day():
    for model in BALLOT_MODELS:
        for field in concrete_fields(model):
            if isinstance(field, models.DateTimeField | models.TimeField | models.DurationField):
                # Only the evaluator's void carries a timestamp; it is not the submit time.
                assert (model, field.name) == (Ballot, "voided_at"), (model, field.name)
    assert type(Ballot._meta.get_field("submitted_on")) is models.DateField


def test_ballot_keys_do_not_reveal_the_order_of_submission():
    assert isinstance(Ballot._meta.pk, models.UUIDField)
    assert isinstance(BallotComment._meta.pk, models.UUIDField)


def test_participation_holds_no_time_finer_than_a_day():
    for field in concrete_fields(GrassrootsParticipation):
        assert not isinstance(field, models.DateTimeField | models.TimeField), field.name


@pytest.mark.django_db
def test_the_database_refuses_a_grassroots_ballot_with_a_rater(quarter, grassroots_rater, org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(quarter=quarter, source=Source.GRASSROOTS, rater=grassroots_rater, rater_unit=org["HRM"])


@pytest.mark.django_db
def test_a_stored_code_ballot_holds_only_quarter_unit_and_day(quarter, org):
    code = BallotCode.objects.create(quarter=quarter, unit=org["HRM"], code="ANONY22222")
    assert ballot_submit(quarter=quarter, source=Source.GRASSROOTS, values=full_values(quarter), code=code.code) is None
    waiting = BallotInbox.objects.values().get()
    assert set(waiting) == {"id", "quarter_id", "unit_id", "submitted_on", "payload"}
    assert code.code not in str(waiting)
    inbox_flush(quarter=quarter)
    ballot = Ballot.objects.get()
    stored = Ballot.objects.filter(pk=ballot.pk).values().get()
    assert stored["rater_id"] is None
    assert stored["rater_unit_id"] == org["HRM"].pk
    assert code.code not in str(stored)
    assert not any(str(ballot.pk) in str(value) for value in BallotCode.objects.values().get().values())
