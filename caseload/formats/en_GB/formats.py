"""How Caseload writes dates and times for people: the one rule, for templates (the
``date`` and ``time`` filters), Django's admin and ``caseload.formats``.

Dates in full, ``27 Nov 2026``; times on the 24-hour clock, ``14:05``, in
Europe/London (so in summer time too). The short forms are the same as the long
ones, so that nothing shows a date another way. Django's own en-GB formats fill in
whatever is not named here.
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
FIRST_DAY_OF_WEEK = 1  # Monday

# What people may type. The first of each is how a form shows a value it already holds.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 27/11/2026, 4/12/2026
    "%d/%m/%y",  # 27/11/26
    "%d-%m-%Y",  # 27-11-2026
    "%d.%m.%Y",  # 27.11.2026
    "%d %b %Y",  # 27 Nov 2026, as Caseload shows it
    "%d %B %Y",  # 27 November 2026
    "%Y-%m-%d",  # 2026-11-27
]
TIME_INPUT_FORMATS = [
    "%H:%M",  # 14:05
    "%H.%M",  # 14.05
    "%H%M",  # 1405
    "%H:%M:%S",  # 14:05:00
]
DATETIME_INPUT_FORMATS = [
    f"{day} {time}"
    for day in ("%d/%m/%Y", "%d/%m/%y", "%d %b %Y", "%Y-%m-%d")
    for time in ("%H:%M", "%H:%M:%S")
] + ["%Y-%m-%d"]
