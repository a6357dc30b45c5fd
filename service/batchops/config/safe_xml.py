"""Parse untrusted XML with ``defusedxml``: no DTD, hence no entity expansion ("billion laughs")
and no external entities.

ZooKeeper nodes are writable by anyone with access to the ensemble, so a tenant configuration is
untrusted input. Any document type declaration is refused outright: SiteWhere's configuration files
never carry one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from batchops.errors import BatchopsError, ErrorKind

MAX_XML_BYTES = 1024 * 1024  # ZooKeeper's default jute.maxbuffer: no node is larger anyway


class UnsafeXmlError(BatchopsError):
    """The document is malformed, too large, or declares a DTD or entities."""

    kind = ErrorKind.INVALID_INPUT


def parse_untrusted_xml(data: bytes) -> ET.Element:
    """The document's root element; raises ``UnsafeXmlError`` for anything unsafe or malformed."""
    if len(data) > MAX_XML_BYTES:
        raise UnsafeXmlError(f"document too large ({len(data)} bytes, at most {MAX_XML_BYTES})")
    try:
        root: ET.Element = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnsafeXmlError("DOCTYPE and entity declarations are not allowed") from None
    except ET.ParseError as exc:
        raise UnsafeXmlError(f"malformed XML: {exc}") from None
    return root
