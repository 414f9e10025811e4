from django.conf import settings
from django.utils import translation


def site(request):
    return {
        "site_name": settings.PARCOURS_SITE_NAME,
        "is_rtl": translation.get_language_bidi(),
    }
