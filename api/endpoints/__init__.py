"""The API's endpoints over the domain (/api/v1/): clients, cases, notes, actions,
assessments, deadlines and flags, and the caller's own notifications.

Every endpoint fetches through the same access helpers and selectors as the pages
(``cases.access``, ``cases.selectors``), writes through the owning app's services,
answers 404 for what the caller may not see exactly as for what does not exist, and
records every row of client data it returns in the audit trail ("API ...").
"""
