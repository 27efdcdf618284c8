from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.urls")),
]

# JSON errors for paths under /api/, Django's own pages elsewhere.
handler400 = "claims.api.exceptions.handler400"
handler404 = "claims.api.exceptions.handler404"
handler500 = "claims.api.exceptions.handler500"
