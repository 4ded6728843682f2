"""The .docx package as Word opens it: the main part found through `_rels/.rels`, ISO Strict read as Transitional.

python-docx only knows Transitional names and the document.main content type; `for_python_docx` hands it
a package it can open (rewritten in memory only when the file needs it).
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile

from lxml import etree

OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
                   "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")
WML_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# .docm, .dotx, .dotm: the same body under another content type (macros are never run, only read past)
WML_MAINS = (WML_MAIN, "application/vnd.ms-word.document.macroEnabled.main+xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
             "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
DOCX_PACKAGE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_STRICT = re.compile(rb"http://purl\.oclc\.org/ooxml/([A-Za-z]+)/")
# Strict names that are not just "/2006/" inserted (ISO/IEC 29500-1 Annex: Strict vs Transitional)
_STRICT_RENAMED = ((b"officeDocument/2006/extendedProperties", b"officeDocument/2006/extended-properties"),
                   (b"officeDocument/2006/customProperties", b"officeDocument/2006/custom-properties"),
                   (b"relationships/extendedProperties", b"relationships/extended-properties"),
                   (b"relationships/customProperties", b"relationships/custom-properties"))


def _xml(zf: zipfile.ZipFile, name: str):
    try:
        return etree.fromstring(zf.read(name), parser=_SAFE)
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None


def main_part(zf: zipfile.ZipFile) -> str | None:
    """Zip member name of the package's main part (officeDocument relationship, Transitional or Strict), or None."""
    rels = _xml(zf, "_rels/.rels")
    if rels is None:
        return None
    for rel in rels.iterfind(f"{_PKG_REL}Relationship"):
        if rel.get("Type") in OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
            name = posixpath.normpath(rel.get("Target", "").lstrip("/"))
            return name if name in zf.NameToInfo else None
    return None


def content_type(zf: zipfile.ZipFile, name: str) -> str | None:
    """The [Content_Types].xml type of zip member `name` (Override, else Default by extension)."""
    types = _xml(zf, "[Content_Types].xml")
    if types is None:
        return None
    for o in types.iterfind(f"{_CT}Override"):
        if o.get("PartName", "").lstrip("/").lower() == name.lower():
            return o.get("ContentType")
    ext = name.rsplit(".", 1)[-1].lower()
    for d in types.iterfind(f"{_CT}Default"):
        if d.get("Extension", "").lower() == ext:
            return d.get("ContentType")
    return None


def is_word(zf: zipfile.ZipFile) -> bool:
    """A WordprocessingML package: its main part is a Word body (any of the .docx/.docm/.dotx content types),
    or, when [Content_Types].xml does not say, a part whose root is w:document."""
    name = main_part(zf)
    if name is None:
        return False
    ct = content_type(zf, name)
    if ct is not None and ct != "application/xml":
        return ct in WML_MAINS
    try:
        with zf.open(name) as f:
            head = f.read(2048)
    except Exception:
        return False
    return b"wordprocessingml" in head and b"document" in head


def is_strict(zf: zipfile.ZipFile, main: str) -> bool:
    try:
        with zf.open(main) as f:
            head = f.read(4096)
    except Exception:
        return False
    return b"purl.oclc.org/ooxml/wordprocessingml" in head


def strict_to_transitional(xml: bytes) -> bytes:
    """Rename ISO Strict namespaces and relationship types to their Transitional equivalents."""
    out = _STRICT.sub(rb"http://schemas.openxmlformats.org/\1/2006/", xml)
    for a, b in _STRICT_RENAMED:
        out = out.replace(a, b)
    return out


def _other_mains(zf: zipfile.ZipFile, main: str) -> bool:
    """Other parts typed as a Word body: .docx files imported as altChunk (Word types them document.main+xml),
    which python-docx would try to parse as XML."""
    types = _xml(zf, "[Content_Types].xml")
    return types is not None and any(o.get("ContentType") in WML_MAINS and o.get("PartName", "").lstrip("/") != main
                                     for o in types.iterfind(f"{_CT}Override"))


def for_python_docx(data: bytes) -> bytes:
    """The package bytes python-docx can open: unchanged for a plain Transitional .docx; otherwise rewritten
    with Strict names made Transitional, the main part typed document.main and imported .docx chunks typed
    as packages."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    main = main_part(zf)
    if main is None:
        return data
    strict = is_strict(zf, main)
    ct = content_type(zf, main)
    chunks = _other_mains(zf, main)
    if not strict and ct == WML_MAIN and not chunks:
        return data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for info in zf.infolist():
            blob = zf.read(info)
            if info.filename.endswith((".xml", ".rels")):
                if strict and b"purl.oclc.org/ooxml" in blob:
                    blob = strict_to_transitional(blob)
                if info.filename == "[Content_Types].xml" and (ct != WML_MAIN or chunks):
                    blob = _main_type(blob, main)
            out.writestr(info.filename, blob)
    return buf.getvalue()


def _main_type(types_xml: bytes, main: str) -> bytes:
    root = etree.fromstring(types_xml, parser=_SAFE)
    found = False
    for o in root.iterfind(f"{_CT}Override"):
        if o.get("PartName", "").lstrip("/").lower() == main.lower():
            o.set("ContentType", WML_MAIN)
            found = True
        elif o.get("ContentType") in WML_MAINS:
            o.set("ContentType", DOCX_PACKAGE)
    if not found:
        etree.SubElement(root, f"{_CT}Override", PartName="/" + main, ContentType=WML_MAIN)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
