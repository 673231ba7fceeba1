"""Consent's public pages and the cookie-consent endpoint. privacy_registry/urls.py includes them at the root."""
from __future__ import annotations

from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("privacy/<slug:organisation>/", views.notice_page, name="notice"),
    path("privacy/<slug:organisation>/version/<int:number>/", views.notice_page, name="notice_version"),
    path("privacy/<slug:organisation>/version/<int:number>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("privacy/<slug:organisation>/changes/", views.notice_diff, name="notice_diff"),
    path("privacy/<slug:organisation>/consent/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("privacy/<slug:organisation>/consent/confirm/<str:token>/", views.confirm, name="confirm"),
    path("api/<slug:organisation>/cookie-consent/", views.cookie_consent, name="cookie_consent"),
]
