"""The data protection area's duties, in the order its home page and menu list them.

Each duty adds itself here with the name of its first page; the home page and
the area menu are drawn from this one list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Duty:
    key: str
    title: str
    summary: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


DUTIES: list[Duty] = [
    Duty(
        key="sar",
        title="Subject access requests",
        summary="Record a client's request for their data, meet its deadline, review each "
        "item (withhold or redact with the legal reason) and release an encrypted copy.",
        url_name="dataprotection:sar_list",
    ),
]
