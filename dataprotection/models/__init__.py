"""The data protection officer's records: one module per duty, gathered here for Django.

Each duty keeps its models in its own module (subject access, retention and
erasure, restriction); this package only imports them so that Django finds them.
"""

from dataprotection.models.retention import (
    DisposalItem,
    DisposalRun,
    ErasureRequest,
    ErasureTombstone,
    LegalHold,
    ProcessingRestriction,
)
from dataprotection.models.subject_access import SubjectAccessItem, SubjectAccessRequest

__all__ = [
    "DisposalItem",
    "DisposalRun",
    "ErasureRequest",
    "ErasureTombstone",
    "LegalHold",
    "ProcessingRestriction",
    "SubjectAccessItem",
    "SubjectAccessRequest",
]
