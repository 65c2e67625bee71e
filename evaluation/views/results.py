"""Results pages: the rankings index, a quarter's ranking, a department's detail, the annual ranking, the method.

Every number comes from the results (a published quarter's snapshot, or the live results that evaluators, leaders
and admins follow before publication); `evaluation.views.access` says who reads what, the selectors cut the
results down to it (the k-rule).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import struct
import zlib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.middleware.gzip import re_accepts_gzip
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from config.cache import ProcessKept
from departments.context_processors import navigation as navigation_context
from departments.models import Unit
from evaluation.models import (
    FROZEN_STATUSES,
    Quarter,
    QuarterStatus,
    ResultSnapshot,
    Source,
    quarter_key,
    quarter_lookup,
)
from evaluation.results_model import QuarterResults
from evaluation.selectors.department import department_detail, openable_for_scope
from evaluation.selectors.quarters import quarter_with_programme, quarter_with_snapshot
from evaluation.selectors.rankings import (
    annual_groups,
    published_years,
    quarter_method,
    ranking_groups,
    source_headers,
    visible_quarters,
)
from evaluation.selectors.results import annual_results, quarter_results, snapshot_results
from evaluation.views.access import (
    annual_programme,
    department_link_scope,
    may_view_department,
    may_view_results,
    quarter_results_visible,
    readable_statuses,
    sees_provisional,
    under_k_rule,
)

# Years outside this range cannot hold a quarter worth showing; they are refused rather than queried.

# A published quarter's ranking tables are frozen with its snapshot, so they are rendered once per snapshot,
# language and link scope and then served from the cache, and so is the whole page around them for each kind of
# reader (_published_page). Bump the version when the ranking's templates, base.html or the rows they show change,
# so that servers never serve pages rendered by an older release.
RANKING_CACHE_VERSION = 6
RANKING_CACHE_SECONDS = 24 * 60 * 60
# Each server process also keeps the last pages it served for a few seconds (their keys name one snapshot):
# a page of 250 branches is 240 KB, whose transfer from the cache and unpickling cost more than the rest of a
# request. A reopen is seen at once all the same: the quarter is read on every request, and without its
# snapshot no kept page is served.
_process_pages = ProcessKept(size=16, seconds=10)
RANKING_TABLES_TEMPLATE = "evaluation/results/_ranking_tables.html"
RANKING_TEMPLATE = "evaluation/results/ranking.html"


def _require_results_access(request: HttpRequest) -> None:
    if not may_view_results(request.user):
        raise PermissionDenied


# The programme is read by every results page (scope, labels, k-rule): with the quarter, not after it. The
# ranking page also reads the snapshot (without its payload) to know whether its page is kept.
def _get_quarter_for_user(request: HttpRequest, code: str, *, with_snapshot: bool = False) -> Quarter:
    """The quarter whose results the user may see; unpublished quarters do not exist for ordinary readers."""
    _require_results_access(request)
    lookup = quarter_lookup(code)
    read = quarter_with_snapshot if with_snapshot else quarter_with_programme
    quarter = read(lookup["programme__code"], lookup["code"])
    if quarter is None or not quarter_results_visible(request.user, quarter):
        raise Http404
    return quarter


def _get_method_quarter_for_user(request: HttpRequest, code: str) -> Quarter:
    """Settings are not results: every reader may see them once the quarter is no longer a draft."""
    _require_results_access(request)
    quarter = get_object_or_404(Quarter, **quarter_lookup(code))
    if quarter.status == QuarterStatus.DRAFT and not sees_provisional(request.user):
        raise Http404
    return quarter


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    """The quarters whose ranking the user may open, and the years with an annual ranking."""
    _require_results_access(request)
    context = {"quarters": visible_quarters(readable_statuses(request.user)), "years": published_years()}
    return render(request, "evaluation/results/rankings.html", context)


def _ranking_tables(quarter: Quarter, results: QuarterResults, scope: str, k_rule: bool) -> SafeString:
    """The groups' tables and charts of a ranking page, rendered in the active language, under the k-rule or not."""
    context = {
        "quarter": quarter,
        "groups": ranking_groups(results, quarter.anonymity_k if k_rule else None),
        "sources": source_headers(quarter, results),
        "openable": openable_for_scope(scope, results),
        "k": quarter.anonymity_k if k_rule else None,
    }
    return render_to_string(RANKING_TABLES_TEMPLATE, context)


def _frozen_snapshot(quarter: Quarter) -> ResultSnapshot | None:
    """The snapshot (without its payload) of an announced or published quarter; None for live, provisional results."""
    if quarter.status not in FROZEN_STATUSES:
        return None
    try:
        return quarter.snapshot
    except ObjectDoesNotExist:
        return None


def ranking_cache_key(quarter: Quarter, snapshot: ResultSnapshot, language: str, scope: str, k_rule: bool) -> str:
    """Everything the cached tables depend on: the snapshot (a reopen discards it, a republish makes a new one),
    the language, which department links the reader gets, the k-rule (with its k, which may be raised), and the
    programme's name and source labels, which an administrator may edit."""
    stamp = int(snapshot.created_at.timestamp() * 1_000_000)
    k = f"k{quarter.anonymity_k}" if k_rule else "all"
    programme = quarter.programme
    names = "\x1f".join([programme.name, *(programme.source_label(source) for source in Source.values)])
    wording = hashlib.blake2s(names.encode(), digest_size=6).hexdigest()
    return (
        f"results:ranking:v{RANKING_CACHE_VERSION}:{quarter.key}:{snapshot.pk}:{stamp}:{language}:{scope}:{k}:{wording}"
    )


def _published_tables(quarter: Quarter, snapshot: ResultSnapshot, scope: str, k_rule: bool) -> SafeString | None:
    """A published quarter's tables from the cache, rendered from exactly this snapshot on a miss; None when the
    snapshot is gone (reopened since the quarter was read)."""
    key = ranking_cache_key(quarter, snapshot, get_language() or "", scope, k_rule)
    tables = cache.get(key)
    if tables is not None:
        return mark_safe(tables)  # rendered and stored by this function
    results = snapshot_results(snapshot.pk)
    if results is None:
        return None
    tables = _ranking_tables(quarter, results, scope, k_rule)
    cache.set(key, str(tables), RANKING_CACHE_SECONDS)
    return tables


# --- the published page, rendered once for many readers ------------------------------------------------------


# A gzip member (RFC 1952) with no name, time or flags; its deflate data is built from pieces (see _deflated).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_DEFLATE_END = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)  # the last, empty block


def _deflated(data: bytes) -> bytes:
    """`data` as deflate blocks of its own: no reference to what comes before, ended at a byte boundary and not
    final (Z_FULL_FLUSH), so such pieces placed one after another, then `_DEFLATE_END`, make one deflate stream."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


_HOLE_NAMES = ("csrf", "name")


@dataclass(frozen=True)
class _SharedPage:
    """A page rendered with holes where each request's own values go: the CSRF token and the account's name.

    The holes are a random marker drawn for each rendering, so no text of the page (a department's name, say)
    can be mistaken for one. The page is kept as its pieces between the holes, in UTF-8 and compressed: a
    browser's request (which asks for gzip) gets the compressed pieces with its own values compressed between
    them, instead of the whole page compressed again (1.3 ms of CPU for the 240 KB page of 250 branches). Each
    value is compressed on its own, so the CSRF token is never compressed together with the page's text.
    """

    pieces: tuple[bytes, ...]  # the page's text between the holes
    holes: tuple[str, ...]  # which value goes after each piece but the last: one of _HOLE_NAMES
    compressed: tuple[bytes, ...]  # each piece, _deflated

    @classmethod
    def render(cls, request: HttpRequest, template: str, context: dict) -> _SharedPage:
        marker = secrets.token_hex(16)
        holes = {"csrf_token": f"{marker}csrf", "account_name": f"{marker}name"}
        html = render_to_string(template, context | holes, request=request)
        parts = re.split(f"{marker}({'|'.join(_HOLE_NAMES)})", html)
        pieces = tuple(piece.encode() for piece in parts[::2])
        return cls(pieces=pieces, holes=tuple(parts[1::2]), compressed=tuple(_deflated(piece) for piece in pieces))

    def _values(self, request: HttpRequest) -> dict[str, bytes]:
        """A fresh masked CSRF token (as {% csrf_token %} gives), one for the whole page, and the reader's name."""
        return {"csrf": get_token(request).encode(), "name": escape(str(request.user)).encode()}

    def fill(self, request: HttpRequest) -> bytes:
        """The page for this request, in UTF-8."""
        values = self._values(request)
        body = [self.pieces[0]]
        for hole, piece in zip(self.holes, self.pieces[1:], strict=True):
            body += (values[hole], piece)
        return b"".join(body)

    def gzipped(self, request: HttpRequest) -> bytes:
        """`fill(request)` as gzip: the compressed pieces, each value compressed between them."""
        values = self._values(request)
        crc = zlib.crc32(self.pieces[0])
        size = len(self.pieces[0])
        body = [_GZIP_HEADER, self.compressed[0]]
        for hole, piece, compressed in zip(self.holes, self.pieces[1:], self.compressed[1:], strict=True):
            value = values[hole]
            crc = zlib.crc32(piece, zlib.crc32(value, crc))
            size += len(value) + len(piece)
            body += (_deflated(value), compressed)
        body += (_DEFLATE_END, struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(body)

    def response(self, request: HttpRequest) -> HttpResponse:
        """The page for this request, compressed when the request accepts gzip (Django's GZipMiddleware, which
        otherwise compresses pages, leaves a response with a Content-Encoding alone)."""
        if not re_accepts_gzip.search(request.headers.get("accept-encoding", "")):
            return HttpResponse(self.fill(request))
        response = HttpResponse(self.gzipped(request))
        response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


def _shared_page_key(request: HttpRequest, quarter: Quarter, snapshot: ResultSnapshot, scope: str, k_rule: bool) -> str:
    """What a published ranking page depends on besides its holes: the tables' own key (snapshot, language, link
    scope, k-rule), and the page frame's reader-dependent parts (templates/base.html says which): the navigation
    context, the account's permissions and whether it has a unit, the address, and the year (the navigation's
    annual link)."""
    user = request.user
    navigation = {name: value for name, value in navigation_context(request).items() if name != "account_name"}
    frame = repr(
        (
            sorted(navigation.items(), key=str),
            sorted(user.get_all_permissions()),
            user.unit_id is not None,
            request.path,
            timezone.localdate().year,
        )
    )
    digest = hashlib.sha256(frame.encode()).hexdigest()[:32]
    return f"{ranking_cache_key(quarter, snapshot, get_language() or '', scope, k_rule)}:page:{digest}"


def _published_page(
    request: HttpRequest, quarter: Quarter, snapshot: ResultSnapshot, scope: str, k_rule: bool
) -> HttpResponse:
    """A published quarter's ranking page: the same for every reader with the same key, so rendered once per key
    (see _shared_page_key) and kept beside its tables. A request with a query string (which the page echoes) or
    with messages to show is rendered for itself."""
    context = {"quarter": quarter, "provisional": False}
    shared = not (request.GET or len(messages.get_messages(request)))
    key = _shared_page_key(request, quarter, snapshot, scope, k_rule) if shared else None
    if key is not None and (page := _process_pages.get(key)) is not None:
        return page.response(request)
    page = cache.get(key) if key is not None else None
    if page is None:
        tables = _published_tables(quarter, snapshot, scope, k_rule)
        if tables is None or key is None:
            if tables is None:  # reopened since the quarter was read: show the live results, keep nothing
                tables = _ranking_tables(quarter, quarter_results(quarter), scope, k_rule)
            return render(request, RANKING_TEMPLATE, context | {"tables": tables})
        page = _SharedPage.render(request, RANKING_TEMPLATE, context | {"tables": tables})
        cache.set(key, page, RANKING_CACHE_SECONDS)
    # Kept from the cache's copy or the rendering only: a page served from memory is not kept again, so its
    # seconds in memory run from when it was last fetched.
    _process_pages.keep(key, page)
    return page.response(request)


@login_required
def ranking(request: HttpRequest, code: str) -> HttpResponse:
    """One quarter's ranking, one table and one bar chart per ranking group.

    A published quarter's page comes from the cache (see RANKING_CACHE_VERSION and _published_page); provisional
    results are always rendered from the live computation and never cached.
    """
    quarter = _get_quarter_for_user(request, code, with_snapshot=True)
    scope = department_link_scope(request.user, quarter)
    k_rule = under_k_rule(request.user)
    snapshot = _frozen_snapshot(quarter)
    if snapshot is not None:
        return _published_page(request, quarter, snapshot, scope, k_rule)
    tables = _ranking_tables(quarter, quarter_results(quarter), scope, k_rule)
    return render(request, RANKING_TEMPLATE, {"quarter": quarter, "provisional": True, "tables": tables})


@login_required
def department(request: HttpRequest, code: str, department_code: str) -> HttpResponse:
    """One department's detail: cell means, source scores, adjustments, comments, problems and trend."""
    quarter = _get_quarter_for_user(request, code)
    unit = get_object_or_404(Unit, code=department_code)
    if not may_view_department(request.user, quarter, unit):
        raise PermissionDenied
    try:
        detail = department_detail(quarter=quarter, department=unit, k_rule=under_k_rule(request.user))
    except LookupError as missing:
        raise Http404 from missing
    return render(request, "evaluation/results/department.html", {"quarter": quarter, "detail": detail})


@login_required
def annual(request: HttpRequest, year: str) -> HttpResponse:
    """The annual ranking of a programme's year (docs/scoring.md rule 8) beside each published quarter's."""
    _require_results_access(request)
    programme, number = annual_programme(year)
    results = annual_results(number, programme)
    context = {
        "year": number,
        "programme": programme,
        "annual_key": year,
        "quarter_codes": [(code, quarter_key(programme.code, code)) for code in results.quarters],
        "groups": annual_groups(results),
    }
    return render(request, "evaluation/results/annual.html", context)


@login_required
def method(request: HttpRequest, code: str) -> HttpResponse:
    """How the quarter's scores are computed, from its own settings."""
    quarter = _get_method_quarter_for_user(request, code)
    context = {
        "quarter": quarter,
        "method": quarter_method(quarter),
        "results_visible": quarter_results_visible(request.user, quarter),
    }
    return render(request, "evaluation/results/method.html", context)
