"""Readable text out of copy as it is written: plain, Markdown, HTML or an e-mail.

Findings point at character offsets into the text extracted here, so the same
function must run wherever offsets are shown. Block-level markup becomes a line
break, so a heading never runs into the paragraph below it; scripts, styles and
comments are dropped; an e-mail contributes its subject and its readable body (the
plain part when there is one, else the HTML part).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from pathlib import PurePath

FORMATS = ("plain", "markdown", "html", "eml")

_SUFFIXES = {
    ".txt": "plain",
    ".text": "plain",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".eml": "eml",
}

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
        "button",
        "option",
    ]
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})


@dataclass(frozen=True)
class Extracted:
    text: str
    format: str
    subject: str = ""


def detect_format(name: str | None, raw: str) -> str:
    """The format a file name says, else a guess from the content."""
    if name:
        found = _SUFFIXES.get(PurePath(name).suffix.lower())
        if found:
            return found
    head = raw.lstrip()[:2000]
    if re.match(r"(?is)^(<!doctype html|<html|<body|<div|<p[ >]|<h[1-6][ >]|<table)", head):
        return "html"
    if re.match(r"(?m)^(From|To|Subject|Date|MIME-Version|Message-ID):", head) and "\n\n" in raw:
        return "eml"
    return "plain"


def extract(raw: str | bytes, fmt: str = "plain") -> Extracted:
    """The readable text of ``raw`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if fmt == "eml":
        return _eml(raw)
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    if fmt == "html":
        return Extracted(html_text(text), fmt)
    if fmt == "markdown":
        return Extracted(markdown_text(text), fmt)
    return Extracted(_tidy(text), fmt)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping.append(tag)
        elif not self._skipping:
            if tag == "pre":
                self._pre += 1
            if tag in _BLOCK_TAGS:
                self.parts.append("\n")
            if tag == "img":
                alt = dict(attrs).get("alt")
                if alt:
                    self.parts.append(f"\n{alt}\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED_TAGS and self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            if tag in self._skipping:
                while self._skipping and self._skipping.pop() != tag:
                    pass
        elif not self._skipping and tag in _BLOCK_TAGS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # A line break in HTML source is a space; only blocks break lines.
            self.parts.append(data if self._pre else re.sub(r"\s+", " ", data))


def html_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    # Whitespace inside a block is layout, not meaning; line breaks between blocks stay.
    lines = (
        re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip()
        for line in "".join(parser.parts).split("\n")
    )
    return _tidy("\n".join(lines))


_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?m)^```.*?$"), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]*"), ""),
    (re.compile(r"(?m)^[ \t]{0,3}>[ \t]?"), ""),
    (re.compile(r"(?m)^[ \t]*(?:[-*+]|\d+[.)])[ \t]+"), ""),
    (re.compile(r"(?m)^[ \t]*(?:-{3,}|\*{3,}|_{3,})\s*$"), ""),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"<[^>\n]+>"), ""),
)


def markdown_text(text: str) -> str:
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    # List items and headings are blocks of their own: keep each on its line.
    return _tidy(text)


def _eml(raw: str | bytes) -> Extracted:
    message: Message = (
        email.message_from_bytes(raw, policy=email.policy.default)
        if isinstance(raw, bytes)
        else email.message_from_string(raw, policy=email.policy.default)
    )
    subject = str(message.get("Subject", "") or "").strip()
    body = _body(message)
    text = f"{subject}\n\n{body}" if subject else body
    return Extracted(_tidy(text), "eml", subject)


def _body(message: Message) -> str:
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None and isinstance(part, EmailMessage):
            content = part.get_content()
            text = content if isinstance(content, str) else content.decode("utf-8", "replace")
            return html_text(text) if part.get_content_subtype() == "html" else text
    payload = message.get_payload(decode=True)
    if isinstance(payload, bytes):
        text = payload.decode(message.get_content_charset() or "utf-8", errors="replace")
        return html_text(text) if message.get_content_subtype() == "html" else text
    return ""


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
