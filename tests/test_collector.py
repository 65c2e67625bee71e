"""The garbage collector as the application tunes it when it starts (config.collector), in fresh processes."""

from __future__ import annotations

import json

from tests.test_settings import run

READ_COLLECTOR = (
    "import gc, json, django; django.setup(); "
    "print(json.dumps({'threshold': gc.get_threshold(), 'frozen': gc.get_freeze_count()}))"
)


def _collector(**env: str) -> dict:
    result = run(["-c", READ_COLLECTOR], DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_starting_freezes_what_it_made_and_raises_the_first_threshold() -> None:
    found = _collector()
    assert found["threshold"][0] == 50000
    assert found["frozen"] > 10000  # Django and the project's modules, settings and models


def test_the_threshold_is_a_setting() -> None:
    assert _collector(GC_THRESHOLD="20000")["threshold"][0] == 20000


def test_zero_leaves_pythons_collector_alone() -> None:
    found = _collector(GC_THRESHOLD="0")
    python_own = run(["-c", "import gc; print(gc.get_threshold()[0])"]).stdout.strip()
    assert found["threshold"][0] == int(python_own)
    assert found["frozen"] == 0


def test_a_server_process_loads_its_views_before_its_first_request() -> None:
    script = (
        "import gc, sys, json, django; django.setup(); frozen = gc.get_freeze_count(); "
        "before = 'config.urls' in sys.modules; import config.wsgi; "
        "print(json.dumps([before, 'config.urls' in sys.modules, 'evaluation.views.results' in sys.modules, "
        "gc.get_freeze_count() > frozen]))"
    )
    result = run(["-c", script], DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, True, True, True]


def test_a_threshold_that_is_not_a_whole_number_is_refused_by_name() -> None:
    for bad in ("lots", "-5", "1.5"):
        result = run(
            ["-c", READ_COLLECTOR], DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="1", GC_THRESHOLD=bad
        )
        assert result.returncode != 0
        assert f"GC_THRESHOLD must be a whole number of zero or more, not '{bad}'." in result.stderr
