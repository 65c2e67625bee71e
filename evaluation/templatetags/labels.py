"""The names of sources in templates, as the quarter's programme calls them (evaluation.labels)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from departments.models import Programme
from evaluation.models import Quarter

register = template.Library()


@register.filter
def source_of(source: str, quarter: Quarter) -> str:
    """`{{ ballot.source|source_of:quarter }}`: 群众评议 in a programme that names it so, else the product's name."""
    return quarter.source_label(source)


@register.filter
def target_heading(programme: Programme) -> str:
    """`{{ quarter.programme|target_heading }}`: the heading over the units a programme rates. Work style rates
    departments; another programme rates units of its own kind (party branches), so its pages say 被评单位."""
    return _("Department") if programme.is_workstyle else _("Unit rated")
