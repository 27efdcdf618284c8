"""The API's only parser: JSON, with the two limits DRF's own parser lacks."""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from claims.api.exceptions import PayloadTooLarge


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser plus a size limit and a depth guard.

    DRF reads the body from the request stream itself, so Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE (checked only by ``request.body``) never applies:
    we apply it here. And ``json.load`` raises RecursionError on a document nested
    a few thousand levels deep, which DRF 3.18 lets through as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            # One byte more than allowed tells us the body is too big, whatever
            # Content-Length claimed, without reading the rest of it.
            data = stream.read(limit + 1)
            if len(data) > limit:
                raise PayloadTooLarge()
            stream = io.BytesIO(data)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
