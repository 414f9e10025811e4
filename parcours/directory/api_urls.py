"""API addresses of directory, included under /api/ by parcours.api.urls: the HSDS 3.0 API profile paths.

HSDS paths have no trailing slash (``/services``); a trailing slash is accepted too.
"""

from django.urls import re_path

from . import apis

UUID = r"(?P<pk>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"

urlpatterns: list = [
    re_path(r"^hsds/?$", apis.HsdsRootApi.as_view(), name="hsds_root"),
    re_path(r"^hsds/services/?$", apis.ServiceListApi.as_view(), name="hsds_service_list"),
    re_path(rf"^hsds/services/{UUID}/?$", apis.ServiceDetailApi.as_view(), name="hsds_service_detail"),
    re_path(r"^hsds/organizations/?$", apis.OrganizationListApi.as_view(), name="hsds_organization_list"),
    re_path(rf"^hsds/organizations/{UUID}/?$", apis.OrganizationDetailApi.as_view(),
            name="hsds_organization_detail"),
    re_path(r"^hsds/service_at_locations/?$", apis.ServiceAtLocationListApi.as_view(),
            name="hsds_service_at_location_list"),
    re_path(rf"^hsds/service_at_locations/{UUID}/?$", apis.ServiceAtLocationDetailApi.as_view(),
            name="hsds_service_at_location_detail"),
    re_path(r"^hsds/taxonomies/?$", apis.TaxonomyListApi.as_view(), name="hsds_taxonomy_list"),
    re_path(rf"^hsds/taxonomies/{UUID}/?$", apis.TaxonomyDetailApi.as_view(), name="hsds_taxonomy_detail"),
    re_path(r"^hsds/taxonomy_terms/?$", apis.TaxonomyTermListApi.as_view(), name="hsds_taxonomy_term_list"),
    re_path(rf"^hsds/taxonomy_terms/{UUID}/?$", apis.TaxonomyTermDetailApi.as_view(),
            name="hsds_taxonomy_term_detail"),
]
