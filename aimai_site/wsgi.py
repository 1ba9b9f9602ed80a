import os

from django.core.wsgi import get_wsgi_application

from aimai_site.startup import static_manifest_check

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aimai_site.settings")

application = get_wsgi_application()
# a server without collected static files would answer every page with a 500: refuse to start
static_manifest_check()
