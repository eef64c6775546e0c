"""The catalog's API routes (read-only), included under /api/v1/ by servicehall/urls.py."""

from rest_framework.routers import DefaultRouter

from catalog.apis import BundleViewSet, CalendarViewSet, DepartmentViewSet, HallViewSet, ItemViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("items", ItemViewSet, basename="item")
router.register("departments", DepartmentViewSet, basename="department")
router.register("halls", HallViewSet, basename="hall")
router.register("bundles", BundleViewSet, basename="bundle")
router.register("calendar", CalendarViewSet, basename="calendar")

urlpatterns = router.urls
