"""Configuration pages for admins: caseload weights, the review factors and timescale."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from reviews.models import CaseWeight, ReviewFactor, ReviewPolicy


@admin.register(CaseWeight)
class CaseWeightAdmin(admin.ModelAdmin):
    list_display = ["__str__", "case_type", "level", "points"]
    list_editable = ["points"]
    list_filter = ["case_type", "level"]
    list_select_related = ["case_type"]


@admin.register(ReviewFactor)
class ReviewFactorAdmin(admin.ModelAdmin):
    list_display = ["label", "position", "is_active"]
    list_editable = ["position", "is_active"]


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReviewPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: ReviewPolicy | None = None) -> bool:
        return False
