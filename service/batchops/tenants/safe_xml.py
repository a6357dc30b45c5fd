"""Parse untrusted XML without DTDs: no entity expansion ("billion laughs") and no external entities.

ZooKeeper nodes are writable by anyone with access to the ensemble, so a tenant configuration is
untrusted input. Any document type declaration is refused outright (SiteWhere's configuration files
never carry one), which is what ``defusedxml`` does with ``forbid_dtd=True``; we check it with a
first expat pass that stops at the declaration, before anything is expanded, so the service needs
no extra dependency.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NoReturn
from xml.parsers import expat

from batchops.errors import BatchopsError, ErrorKind

MAX_XML_BYTES = 1024 * 1024  # ZooKeeper's default jute.maxbuffer: no node is larger anyway


class UnsafeXmlError(BatchopsError):
    """The document is malformed, too large, or declares a DTD or entities."""

    kind = ErrorKind.INVALID_INPUT


class _Forbidden(BatchopsError):
    pass


def _forbid(*_args: object) -> NoReturn:
    raise _Forbidden


def parse_untrusted_xml(data: bytes) -> ET.Element:
    """The document's root element; raises ``UnsafeXmlError`` for anything unsafe or malformed."""
    if len(data) > MAX_XML_BYTES:
        raise UnsafeXmlError(f"document too large ({len(data)} bytes, at most {MAX_XML_BYTES})")
    scanner = expat.ParserCreate()
    scanner.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    scanner.StartDoctypeDeclHandler = _forbid
    scanner.EntityDeclHandler = _forbid
    scanner.UnparsedEntityDeclHandler = _forbid
    scanner.ExternalEntityRefHandler = _forbid
    try:
        scanner.Parse(data, True)
    except _Forbidden:
        raise UnsafeXmlError("DOCTYPE and entity declarations are not allowed") from None
    except expat.ExpatError as exc:
        raise UnsafeXmlError(f"malformed XML: {exc}") from None
    try:
        # Safe now: without a DTD the only entities are the five predefined ones.
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise UnsafeXmlError(f"malformed XML: {exc}") from None
