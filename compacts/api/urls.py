from rest_framework.routers import SimpleRouter

from compacts.alliance.cluster_api import ClusterViewSet
from compacts.alliance.directory_api import MemberViewSet
from compacts.api import views

app_name = "compacts-api"

# SimpleRouter: the API root view belongs to the countries router already
router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("needs", views.NeedViewSet, basename="need")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
router.register("compacts", views.CompactViewSet, basename="compact")
router.register("clusters", ClusterViewSet, basename="cluster")
router.register("members", MemberViewSet, basename="member")

urlpatterns = router.urls
