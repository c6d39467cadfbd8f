"""Authenticator apps and recovery codes are managed on Caseload's own pages only.

django-otp registers its device models with the admin site, whose pages would
show a superuser everyone's authenticator key (and its QR code): a copy of
anyone's second factor. Caseload takes them off the configuration pages; a
lost phone is reset at /accounts/unlock/ instead, which keys are never shown on.
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
