from django.conf import settings

from infra import sms


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SMS_ON": sms.enabled(),
        # The contact and "Find my request" pages (templates/partials/support_contact.html).
        "SUPPORT": {
            "phone": settings.SUPPORT_PHONE,
            "hours": settings.SUPPORT_HOURS,
            "first_reply_hours": settings.SUPPORT_FIRST_REPLY_HOURS,
        },
    }
