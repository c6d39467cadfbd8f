"""Under pytest-xdist, each worker process gets a Redis database of its own.

bin/test loads this module with ``-p tests.parallel``: plugins named so are imported before
pytest-django reads the settings, which is when ``REDIS_URL`` is read. Worker ``gwN`` uses
database ``base + N`` (the base being the number ``REDIS_URL`` ends with), so that one
worker's Celery worker processes never take another's tasks and one worker's cache clears
never reach the other's. The test databases are kept apart by pytest-django itself
(``test_<name>_gwN``). Without xdist, or without ``REDIS_URL``, nothing changes.
"""

import os
import re

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_url = os.environ.get("REDIS_URL", "")
_match = re.fullmatch(r"(?P<server>redis://[^/]+)(?:/(?P<db>\d+))?", _url)
if _worker.startswith("gw") and _match:
    _db = int(_match["db"] or 0) + int(_worker.removeprefix("gw"))
    if _db > 15:
        raise RuntimeError(f"REDIS_URL's database number leaves no room for worker {_worker}")
    os.environ["REDIS_URL"] = f"{_match['server']}/{_db}"
