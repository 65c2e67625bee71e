"""The names of sources in templates, as the quarter's programme calls them (evaluation.labels)."""

from __future__ import annotations

from django import template

from evaluation.models import Quarter

register = template.Library()


@register.filter
def source_of(source: str, quarter: Quarter) -> str:
    """`{{ ballot.source|source_of:quarter }}`: 群众评议 in a programme that names it so, else the product's name."""
    return quarter.source_label(source)
