"""Print, as one line of JSON, what a database loaded with the demo holds.

Run through ``manage.py shell -c`` against either side of an upgrade:
bin/previous-release-dump runs it on the previous release when it makes the
dump, and test_migrate_from_previous_release runs it on this code after
migrating that dump. Models are found by class name, not by app or table, so
the snapshot still lines up after a model moves to another app.
"""

import json

from django.apps import apps

# What must survive the upgrade row for row, by model class name.
NAMED = {
    "users": "User",
    "clients": "Client",
    "cases": "Case",
    "notes": "CaseNote",
    "notifications": "Notification",
    "reviews": "CaseloadReview",
}


def _model(name: str) -> type:
    """The one installed model called ``name`` (our apps', never a library's)."""
    found = [
        model
        for model in apps.get_models()
        if model.__name__ == name and not model.__module__.startswith(("django.", "guardian."))
    ]
    if len(found) != 1:
        raise LookupError(f"expected one model named {name}, found {found}")
    return found[0]


def snapshot() -> dict[str, object]:
    counts = {key: _model(name)._default_manager.count() for key, name in NAMED.items()}
    rows = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }
    clients = [
        [client.pk, client.given_name, client.family_name]
        for client in _model("Client")._default_manager.order_by("pk")
    ]
    return {"counts": counts, "rows": rows, "clients": clients}


print(json.dumps(snapshot(), sort_keys=True))
