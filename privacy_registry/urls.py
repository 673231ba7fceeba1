from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The data subjects' public pages, from the site's root (`/` lists the organisations' request pages).
    path("", include("rights.urls")),
    # Consent: the generated privacy notice (/privacy/<org>/), consent links, the cookie-consent endpoint (/api/…).
    path("", include("consent.urls")),
]

# Plain pages in the visitor's language instead of Django's (the admin's errors use them too).
handler400 = "rights.views.bad_request"
handler403 = "rights.views.permission_denied"
handler404 = "rights.views.page_not_found"
handler500 = "rights.views.server_error"
