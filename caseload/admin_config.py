from django.contrib.admin.apps import AdminConfig


class CaseloadAdminConfig(AdminConfig):
    """The Django admin, served as Caseload's configuration pages by our own site class."""

    default_site = "caseload.admin_site.CaseloadAdminSite"
