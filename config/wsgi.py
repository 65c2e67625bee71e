import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from config.collector import tune_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# A server process imports the URL patterns, and with them every view and what the views import (openpyxl
# among them), now rather than on its first request: that request took 0.8 s instead of about 0.1 s. The
# collector then freezes these modules too, as it froze what starting made (config/collector.py).
get_resolver().url_patterns  # noqa: B018  (the attribute's reading is the import)
tune_collector()
