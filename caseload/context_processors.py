from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from caseload.roles import CLIENT_DATA_ROLES, Role, roles_of
from notifications.selectors import unread_count


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (roles that see it, label, url name) in the order they appear in the header. Finding
# a client is the search box beside them (``show_search``), not a link.
_NAVIGATION = [
    ({Role.ADVISER}, "My caseload", "cases:my_caseload"),
    ({Role.SUPERVISOR}, "Team dashboard", "reviews:team_dashboard"),
    ({Role.SUPERVISOR}, "Unallocated", "cases:unallocated"),
    ({Role.ADVISER, Role.SUPERVISOR}, "Caseload reviews", "reviews:review_list"),
    ({Role.SUPERVISOR}, "Reports", "reviews:report_list"),
    ({Role.ADVISER, Role.SUPERVISOR}, "Needs attention", "priorities:attention"),
    ({Role.ADVISER, Role.SUPERVISOR}, "New referral", "cases:referral_in"),
    ({Role.SERVICE_MANAGER}, "Access", "cases:access"),
    ({Role.ADMIN}, "Organisation", "cases:organisation"),
    ({Role.DATA_PROTECTION}, "Data protection", "dataprotection:home"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The header links the signed-in user's roles give them."""
    # Error pages (a 400 for a bad Host header, say) render before the
    # authentication middleware has run, so there may be no user at all.
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else frozenset()
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    items = [
        NavItem(label=label, url=reverse(name), current=current == name)
        for wanted, label, name in _NAVIGATION
        if wanted & roles
    ]
    unread = 0
    if user is not None and user.is_authenticated:
        unread = unread_count(user)
    return {
        "unread_notifications": unread,
        "nav_items": items,
        "user_roles": sorted(role.label for role in roles),
        "show_configuration": Role.ADMIN in roles,
        # One's own API tokens (api.tokens_views): for those who reach client data, and admins.
        "show_api_tokens": bool(roles & (CLIENT_DATA_ROLES | {Role.ADMIN})),
        # The header's search box, for those who reach client data; it posts to the search page.
        "show_search": bool(roles & CLIENT_DATA_ROLES),
    }
