"""Model -> safe HTML for card fields.

Inline text is rendered from the parser's ``Span`` tree (Markdown is never parsed twice):
text is escaped, markup becomes tags, and HTML written inside a note goes through nh3 with an
allow-list. The whole field is sanitised once at the end, because an ``html`` span may hold
an opening tag alone (``<b>``) whose closing tag sits in a later span. A field made only of
escaped text in our own tags is already safe, and is not parsed again (most fields are).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from urllib.parse import urlsplit

import nh3

from ..model import Flow, RichText, Span

# Formatting only: nothing that loads a resource (img, iframe, object), runs code (script,
# event handlers) or restyles the card (style).
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "code", "del", "dfn", "div", "em",
        "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s",
        "samp", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td",
        "th", "thead", "tr", "u", "ul", "var", "wbr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"class", "lang", "dir"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "obsidian"})
# Their content is dropped with the tag: a script's text is code, not something to study.
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}
_WRAP_TAGS = {"strong": "strong", "emphasis": "em", "strike": "s", "mark": "mark"}


def safe_url(url: str) -> bool:
    """True when ``url`` is absolute with a scheme a card may link to (no ``javascript:``)."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in URL_SCHEMES


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 lets relative URLs through; in Anki they would point into the media folder.
    if attribute == "href" and not safe_url(value):
        return None
    return value


def sanitize(fragment: str) -> str:
    """``fragment`` with everything but formatting removed; unbalanced tags are closed."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _span(span: Span) -> str:
    inner = "".join(_span(child) for child in span.children)
    if span.kind == "text":
        return escape(span.text, quote=False)
    if span.kind in _WRAP_TAGS:
        tag = _WRAP_TAGS[span.kind]
        return f"<{tag}>{inner}</{tag}>"
    if span.kind == "codespan":
        return f"<code>{escape(span.text, quote=False)}</code>"
    if span.kind == "linebreak":
        return "<br>"
    if span.kind == "link":
        if not safe_url(span.url):
            return inner  # keep the words, drop a link Anki could not follow safely
        return f'<a href="{escape(span.url.strip(), quote=True)}">{inner or escape(span.url)}</a>'
    if span.kind == "html":
        return span.text  # sanitised with the whole field, see module docstring
    if span.kind == "image":
        return image_tag(span)
    return escape(span.text, quote=False)  # an "embed" not found: its alt text or name


# A name package/media.py gives: flat (no folder, scheme or query), with its digest.
_MEDIA_NAME = re.compile(r"[\w.-]+-[0-9a-f]{12}(?:\.[a-z0-9]+)?")
_WIDTH = re.compile(r"\d{1,5}")


def image_tag(span: Span) -> str:
    """An ``image`` span as ``<img>``: only ever one of the package's own media files
    (anything else shows its alt text), scaled to the card's width by card.css, at most
    the width the note asks for (``![[x.png|300]]``).

    An SVG is shown this way too, never inline: a browser runs no script of an SVG loaded
    by ``<img>`` (nor in Anki's webview), so one carrying script is as harmless as a PNG.
    """
    name, _, size = span.url.partition("|")
    if not _MEDIA_NAME.fullmatch(name):
        return escape(span.text, quote=False)
    width = size.partition("x")[0]
    width_attr = f' width="{width}"' if _WIDTH.fullmatch(width) else ""
    return f'<img src="{name}" alt="{escape(span.text, quote=True)}"{width_attr}>'


def _image_tags(spans: Iterable[Span]) -> list[str]:
    """The ``<img>`` tags the image spans among ``spans`` render to, in order."""
    found: list[str] = []
    for span in spans:
        if span.kind == "image":
            found.append(image_tag(span))
        elif span.children:
            found += _image_tags(span.children)
    return found


def _sanitized(rendered: str, spans: Iterable[Span]) -> str:
    """``sanitize(rendered)``, keeping the images this module rendered (the sanitiser allows
    no ``<img>``: one written in the note's HTML stays out). Each of ours stands aside as a
    private-use marker while the rest is cleaned; a marker written in the note can only
    bring back one of the note's own images."""
    tags = [t for t in _image_tags(spans) if t.startswith("<img")]
    if not tags:
        return sanitize(rendered)
    for index, tag in enumerate(tags):
        rendered = rendered.replace(tag, f"\ue000{index}\ue001")
    clean = sanitize(rendered)
    for index, tag in enumerate(tags):
        clean = clean.replace(f"\ue000{index}\ue001", tag)
    return clean


def html(text: RichText) -> str:
    """Safe HTML for one piece of inline text."""
    if not text:  # nothing but whitespace
        return ""
    rendered = "".join(_span(s) for s in text.spans)
    if _made_here(text.spans) and not _RESERIALISED.intersection(rendered):
        # Only our own tags around escaped text: already what the sanitiser would return.
        return inert(rendered.strip())
    return inert(_sanitized(rendered, text.spans).strip())


# Anki's own markup, which it reads in a field's HTML wherever it stands (in text, in code,
# in an attribute): ``[sound:f]`` plays a file, ``[anki:tts ...]...[/anki:tts]`` speaks,
# ``[anki:play:q:0]`` is a play button, and ``[latex]``, ``[$]`` and ``[$$]`` become LaTeX
# images (all case-insensitive here, to be safe). Its opening ``[`` is written as ``&#91;``,
# which shows the same character but is not the one Anki's patterns look for.
_ANKI_MARKUP = re.compile(r"\[(?=sound:|anki:|\$|latex\])", re.IGNORECASE)


def inert(fragment: str) -> str:
    """HTML ``fragment`` with Anki's own markup in it shown as text, not acted on."""
    if "[" not in fragment:
        return fragment
    return _ANKI_MARKUP.sub("&#91;", fragment)


# What the sanitiser's HTML parser and serialiser would rewrite in escaped text: NUL, CR
# (input normalisation), a byte-order mark (dropped) and the no-break space (&nbsp;).
_RESERIALISED = frozenset("\x00\r\ufeff\xa0")


def _made_here(spans: Iterable[Span]) -> bool:
    """True when every span renders to escaped text inside tags of our own making: no HTML
    from the note, and no link (the sanitiser adds ``rel`` to links)."""
    return all(
        span.kind not in ("html", "link") and (not span.children or _made_here(span.children))
        for span in spans
    )


def plain(text: RichText) -> str:
    """The text without markup, whitespace at the ends removed."""
    return text.plain().strip()


def text_html(text: str) -> str:
    """A plain string (a term, a title, a path) escaped for a field."""
    return inert(escape(text.strip(), quote=False))


def html_list(items: Iterable[RichText], css_class: str = "") -> str:
    """A ``<ul>`` of the non-empty items; empty string when there are none."""
    return _list("ul", (html(item) for item in items if item), css_class)


def _list(tag: str, rendered: Iterable[str], css_class: str) -> str:
    lis = "".join(f"<li>{item}</li>" for item in rendered if item)
    if not lis:
        return ""
    attr = f' class="{escape(css_class)}"' if css_class else ""
    return f"<{tag}{attr}>{lis}</{tag}>"


def flow_html(flow: Flow) -> str:
    """A fenced diagram as ``<pre class="flow"><code>``, whitespace and line breaks kept."""
    # <code> directly after <pre> also keeps a leading newline, which a parser would
    # otherwise drop right after the <pre> tag.
    body = inert(escape(flow.text.rstrip("\n"), quote=False))
    title = f'<div class="flow-title">{text_html(flow.title)}</div>' if flow.title.strip() else ""
    return f'{title}<pre class="flow"><code>{body}</code></pre>'


def flows_html(flows: Iterable[Flow]) -> str:
    """Every diagram of a note, in order."""
    return "".join(flow_html(f) for f in flows if f.text.strip())


def paragraphs(items: Iterable[RichText]) -> str:
    """One ``<p>`` per non-empty item."""
    return "".join(f"<p>{html(item)}</p>" for item in items if item)
