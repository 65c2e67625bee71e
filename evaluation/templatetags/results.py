"""How results read on a page: scores, adjustments, rank changes and the k-rule's mark.

Filters rather than one template include per cell: a ranking page has hundreds of cells. Every number goes
through format_html, so nothing unescaped reaches the page.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from evaluation.criteria_templates import level_display
from evaluation.selectors.rankings import SourceCell

register = template.Library()

_EMPTY = mark_safe('<span class="text-muted">—</span>')


def rank_change_parts(change: int | None) -> tuple[str, int]:
    """A rank change as (direction, size): ("up", 2) is ↑2, ("down", 1) is ↓1, then "same" and "none"."""
    if change is None:
        return ("none", 0)
    if change > 0:
        return ("up", change)
    if change < 0:
        return ("down", -change)
    return ("same", 0)


@register.filter
def score(value: Decimal | None) -> SafeString:
    """A score with two decimals as shown everywhere, or a muted dash when there is none."""
    if value is None:
        return _EMPTY
    return format_html("{}", floatformat(value, 2))


@register.filter
def adjustment(value: Decimal | None) -> SafeString:
    """Adjustment points with their sign (+1.50, -0.50), a muted 0 when none were given, a dash when unknown."""
    if value is None:
        return _EMPTY
    if value > 0:
        return format_html("+{}", floatformat(value, 2))
    if value < 0:
        return format_html("{}", floatformat(value, 2))
    return mark_safe('<span class="text-muted">0</span>')


def unchanged_mark() -> str:
    """What stands for "same rank as before": a visible 0, distinct from the no-earlier-rank mark."""
    return "0"


def new_mark() -> str:
    """What stands for "no earlier rank to compare with" (docs/scoring.md, "Rule 7: rank change")."""
    return pgettext("rank change", "new")


@register.filter
def rank_change(change: int | None) -> SafeString:
    """↑2 / ↓1 / 0 (unchanged) / 新 (no earlier rank): a visible mark for each, readable without a tooltip."""
    direction, size = rank_change_parts(change)
    if direction == "up":
        title = ngettext("Up %(size)s place", "Up %(size)s places", size) % {"size": size}
        return format_html('<span class="rank-up" title="{}">↑{}</span>', title, size)
    if direction == "down":
        title = ngettext("Down %(size)s place", "Down %(size)s places", size) % {"size": size}
        return format_html('<span class="rank-down" title="{}">↓{}</span>', title, size)
    if direction == "same":
        return format_html('<span class="rank-same" title="{}">{}</span>', _("Unchanged"), unchanged_mark())
    return format_html(
        '<span class="rank-new text-muted" title="{}">{}</span>', _("No earlier rank to compare with"), new_mark()
    )


@register.inclusion_tag("evaluation/results/_rank_change_legend.html")
def rank_change_legend() -> dict[str, str]:
    """The marks of the rank change spelled out on the page, since a phone shows no tooltip."""
    return {"same": unchanged_mark(), "new": new_mark()}


@register.filter
def level_label(label: str) -> str:
    """A level's label in the reader's language when it is a default level (evaluation.criteria_templates)."""
    return level_display(label)


def hidden_mark() -> SafeString:
    """What stands where the k-rule hides a number from the reader."""
    return format_html('<span class="text-muted k-hidden" title="{}">·</span>', _("Hidden: too few ballots"))


@register.filter
def source_cell(cell: SourceCell) -> SafeString:
    """A source's score, or the k-rule's mark when it is hidden from the reader."""
    return hidden_mark() if cell.hidden else score(cell.score)


@register.filter
def quarter_cell(cell: tuple[Decimal | None, int | None] | None) -> SafeString:
    """A published quarter's cell on the annual page: "score · rank", or a muted dash when it did not score."""
    if cell is None:
        return _EMPTY
    return format_html("{} · {}", score(cell[0]), "—" if not cell[1] else cell[1])


@register.simple_tag
def k_hidden() -> SafeString:
    return hidden_mark()
