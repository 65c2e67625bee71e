"""Keeping ballot codes out of the addresses a server or proxy logs, and so out of Referer headers.

Slips link to `/ballot/#code=…` (see evaluation.views.console._public_link); the page's script
posts the code. An address still carrying `?code=` (a slip printed before, a hand-typed link) is
sent on to the same page with the code moved into the fragment: that one request has reached the
log, but nothing the page does afterwards repeats it.

Since no ballot page's address holds a code, the site's `Referrer-Policy: same-origin` is enough:
no Referer leaves for another site, and our own server only ever sees `/ballot/`. `no-referrer`
would be no safer and breaks the forms: Chromium then sends `Origin: null` with every POST, which
Django's CSRF protection rightly refuses.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


def code_query_redirect(request: HttpRequest, url_name: str) -> HttpResponse | None:
    """For a GET with `?code=`: a redirect to the page of `url_name` with the code in the fragment."""
    if request.method != "GET" or "code" not in request.GET:
        return None
    # Passed on as it came (the script accepts only a code's letters, digits and dashes).
    text = request.GET.get("code", "").strip()
    target = reverse(url_name) + (f"#{urlencode({'code': text})}" if text else "")
    return HttpResponseRedirect(target)
