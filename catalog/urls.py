from django.urls import path

from catalog import views

urlpatterns = [
    path("", views.home, name="home"),
    path("guides/", views.guide_list, name="guide-list"),
    path("guides/<str:code>/", views.guide_detail, name="guide-detail"),
    path("guides/<str:code>/print/", views.guide_print, name="guide-print"),
    path("guides/<str:code>/versions/<int:number>/", views.guide_detail, name="guide-version"),
    path("halls/", views.hall_list, name="hall-list"),
    path("halls/<str:code>/", views.hall_detail, name="hall-detail"),
    path("bundles/", views.bundle_list, name="bundle-list"),
    path("bundles/<int:pk>/", views.bundle_detail, name="bundle-detail"),
]
