from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """What the visitor can do now: vote, follow a quarter, read results."""
    return render(request, "evaluation/home.html", {})
