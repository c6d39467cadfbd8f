from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from caseload.roles import Role, roles_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (role, label, url name) in the order they appear in the header.
_NAVIGATION = [
    (Role.ADVISER, "My caseload", "cases:my_caseload"),
    (Role.SUPERVISOR, "Team dashboard", "reviews:team_dashboard"),
    (Role.ADMIN, "Organisation", "cases:organisation"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The header links the signed-in user's roles give them."""
    roles = roles_of(request.user)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    items = [
        NavItem(label=label, url=reverse(name), current=current == name)
        for role, label, name in _NAVIGATION
        if role in roles
    ]
    return {
        "nav_items": items,
        "user_roles": sorted(role.label for role in roles),
        "show_configuration": Role.ADMIN in roles,
    }
