"""Who may use the data protection pages.

The Data protection role runs the duties (subject access, retention, erasure,
restriction) and reads the audit trail of every client. It reaches a client's
personal data only inside a subject access or erasure case it is handling, and
each such view is audited like any other read. Supervisors read the audit trail
of their own teams' clients and cases, through the same selectors.
"""

from __future__ import annotations

from caseload.roles import Role, role_required

# Pages of the data protection officer's own: 403 to anyone without the role.
dpo_required = role_required(Role.DATA_PROTECTION)
