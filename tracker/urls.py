from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # The admin's own password change checks the old password without the request,
    # out of the login lockout's sight: one protected form serves both.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.urls")),
]

# JSON errors for paths under /api/, Django's own pages elsewhere.
handler400 = "claims.api.exceptions.handler400"
handler404 = "claims.api.exceptions.handler404"
handler500 = "claims.api.exceptions.handler500"
