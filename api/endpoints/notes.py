"""Notes of a case: read, and append. A note is never changed or deleted, through the
API as on the pages: this endpoint takes GET and POST only, and the schema says so."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints.common import (
    CURSOR,
    EndpointView,
    NewestFirst,
    attach_case,
    audited,
    case_contributed,
    case_seen,
    problems,
)
from api.endpoints.serializers import NoteAppendSerializer, NoteSerializer
from notes import services
from notes.models import CaseNote


class CaseNotes(EndpointView):
    # No PUT, PATCH or DELETE, ever: notes are append-only (a correction is a new note).
    http_method_names = ["get", "post", "head", "options"]
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="cases_notes_list",
        parameters=[CURSOR],
        responses={200: NoteSerializer(many=True), **problems(400)},
        description="The case's notes, newest written first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = case_seen(request, pk)
        notes = CaseNote.objects.filter(case=case)
        paginator = NewestFirst()
        page = paginator.paginate_queryset(notes, request, view=self) or []
        attach_case(page, case)
        audited(request, page, via="case notes")
        return paginator.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_notes_append",
        request=NoteAppendSerializer,
        responses={201: NoteSerializer, **problems(400)},
        description="Append a note, with the page's rules: the contact not in the future nor "
        "before the case began, the facts, next steps or a reason for no further action, and "
        "nothing added to a client whose processing is restricted or whose data were erased. "
        "With ``corrects``, a correction of that note of the same case (with a reason); the "
        "original stays as it was.",
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_contributed(request, pk)
        body = NoteAppendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        corrects_id = fields.pop("corrects")
        corrects = None
        if corrects_id is not None:
            corrects = CaseNote.objects.filter(pk=corrects_id, case=case).first()
            if corrects is None:
                raise ValidationError({"corrects": ["No such note on this case."]})
            corrects.case = case
        elif fields["correction_reason"]:
            raise ValidationError({"correction_reason": ["Only a correction has a reason."]})
        note = services.note_append(case=case, author=self.user, corrects=corrects, **fields)
        audited(request, [note], via="note appended")
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
