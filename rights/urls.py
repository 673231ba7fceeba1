"""The public pages (no login). privacy_registry/urls.py includes them at the site's root."""
from __future__ import annotations

from django.urls import path

from . import views

app_name = "rights"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/<slug:organisation>/request/", views.request_form, name="request"),
    path("privacy/<slug:organisation>/request/sent/", views.request_sent, name="sent"),
    path("privacy/<slug:organisation>/request/confirm/<str:token>/", views.confirm, name="confirm"),
    path("privacy/<slug:organisation>/request/download/<str:token>/", views.download, name="download"),
]
