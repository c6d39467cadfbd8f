"""The roles of Caseload, held as Django groups created by migrations.

Adviser and Supervisor reach client data (through cases, never model-wide).
Service manager grants and revokes those two roles and team places, on
Caseload's access page. Admin configures the organisation and Data protection
receives break-the-glass alerts; neither reaches client data. Service manager,
Admin and Data protection are given by a superuser only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    ADVISER = "Adviser", "Adviser"
    SUPERVISOR = "Supervisor", "Supervisor"
    ADMIN = "Admin", "Admin"
    SERVICE_MANAGER = "Service manager", "Service manager"
    DATA_PROTECTION = "Data protection", "Data protection"


# Roles that reach client data; a Service manager grants and revokes them (with a reason).
CLIENT_DATA_ROLES = frozenset({Role.ADVISER, Role.SUPERVISOR})
# Roles that only a superuser may give, in the configuration pages (still recorded).
SUPERUSER_GRANTED_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN, Role.DATA_PROTECTION})


# What the Admin role may configure, as (app label, permission codename). No
# role holds a model-wide permission to view client data: who sees a case is
# decided per object.
ADMIN_PERMISSIONS = [
    ("cases", "view_user"),
    ("cases", "add_user"),
    ("cases", "change_user"),
    ("cases", "view_team"),
    ("cases", "add_team"),
    ("cases", "change_team"),
    ("cases", "delete_team"),
    ("cases", "view_adviserprofile"),
    ("cases", "add_adviserprofile"),
    ("cases", "change_adviserprofile"),
    ("auth", "view_group"),
    ("cases", "view_casetype"),
    ("cases", "add_casetype"),
    ("cases", "change_casetype"),
    ("notes", "view_notetemplate"),
    ("notes", "add_notetemplate"),
    ("notes", "change_notetemplate"),
    ("notes", "delete_notetemplate"),
    *[
        ("priorities", f"{action}_{model}")
        for model in ("criteriaversion", "criterion", "timescale", "closureday", "organisation")
        for action in ("view", "add", "change", "delete")
    ],
    # The outbox, to see which emails failed; read-only, and no client data in it.
    ("notifications", "view_outboxemail"),
]


def role_groups_ensure(
    *,
    group_model: Any,
    permission_model: Any,
    admin_permissions: list[tuple[str, str]] = ADMIN_PERMISSIONS,
) -> None:
    """Create the role groups and give the Admin role its permissions, if missing.

    Takes the models as arguments so that a migration can pass its historical
    models, and the permissions so that a migration can pass the list as it
    stood then; the permissions must already exist.
    """
    existing = set(
        group_model.objects.filter(name__in=[role.value for role in Role]).values_list(
            "name", flat=True
        )
    )
    group_model.objects.bulk_create(
        [group_model(name=role.value) for role in Role if role.value not in existing]
    )
    admin = group_model.objects.get(name=Role.ADMIN.value)
    wanted = set(admin_permissions)
    # One read of the candidates, narrowed to the exact pairs here: (app, codename) pairs
    # cannot be matched by two IN lists alone.
    permissions = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in permission_model.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        )
    }
    missing = sorted(wanted - permissions.keys())
    if missing:
        raise permission_model.DoesNotExist(f"Permissions not created yet: {missing}")
    # add() skips the ones the group has already.
    admin.permissions.add(*(permissions[pair] for pair in wanted))


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[Role]:
    """The roles a user holds; cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_caseload_roles", None)
    if cached is None:
        # AbstractBaseUser declares no groups; our users are always accounts.User.
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        cached = frozenset(role for role in Role if role.value in names)
        # A per-request cache on the instance; the attribute is ours, not the model's.
        user._caseload_roles = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, role: Role) -> bool:
    return role in roles_of(user)


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse the view (403) to a signed-in user who holds none of ``roles``.

    Role pages confirm nothing about any client or case, so a 403 is honest
    here; object pages use their access helper and answer 404 instead.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not roles_of(request.user).intersection(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def role_permissions_migrate(apps: Any, admin_permissions: list[tuple[str, str]]) -> None:
    """For data migrations: make sure permissions exist, then give them to the Admin role.

    Permissions are normally created after all migrations have run; a migration
    that grants them must create them first, from its historical models.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    role_groups_ensure(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        admin_permissions=admin_permissions,
    )
