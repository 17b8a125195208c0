"""Article bodies: sanitising HTML and placing images, done once when an article is saved."""

import re
from html.parser import HTMLParser

import nh3
from django.utils.html import escape, format_html, format_html_join

# A restricted subset for news articles. No scripts, no styles, no event handlers, no
# javascript: URLs: nh3 (ammonia) drops everything not listed here, for staff too.
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "q", "cite",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "hr", "code", "pre", "span", "img", "figure",
    "figcaption", "table", "caption", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Case-insensitive: the admin shows the marker in capitals ([IMAGE:1]).
IMAGE_TOKEN = re.compile(r"\[image:(\d{1,3})\]", re.IGNORECASE)


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # nh3 allows `lang` and `title` on every tag unless "*" says otherwise: only the list.
        attributes={"*": set(), **ALLOWED_ATTRIBUTES},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def text_to_html(text):
    """Plain text as paragraphs, one per line as on the source board, escaped."""
    lines = (line.strip() for line in text.splitlines())
    return format_html_join("\n", "<p>{}</p>", ((line,) for line in lines if line))


def figure(image):
    alt = image.caption or ""
    caption = format_html("<figcaption>{}</figcaption>", image.caption) if image.caption else ""
    return format_html(
        '<figure class="post-image"><img src="{}" alt="{}" loading="lazy">{}</figure>',
        image.image.url,
        alt,
        caption,
    )


class Tokens(HTMLParser):
    """Sanitised HTML as its tags and text nodes, in order, each with its source text: images
    are placed in text nodes only, never inside a tag or an attribute."""

    def __init__(self, html):
        super().__init__(convert_charrefs=False)
        self.tokens = []
        self.sources = set()  # every <img src>: an image the body shows itself
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, self.get_starttag_text(), bool(attrs)))
        if tag == "img":
            self.sources.update(value for name, value in attrs if name == "src" and value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.tokens[-1] = ("tag", *self.tokens[-1][1:])

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag, f"</{tag}>", False))

    def handle_data(self, data):
        self.tokens.append(("text", None, data, False))

    def handle_entityref(self, name):
        self.tokens.append(("ref", None, f"&{name};", False))

    def handle_charref(self, name):
        self.tokens.append(("ref", None, f"&#{name};", False))


def render_body(body, body_format, images):
    """The reader's HTML for an article: sanitised, with [image:N] replaced by the N-th image.

    Images the body does not place follow it, so none is lost; an image the body already
    shows by its address (an imported article's ``<img src>``) is not shown twice.
    """
    html = sanitize(body) if body_format == "html" else str(text_to_html(body))
    parsed = Tokens(html)
    placed = {i for i, image in enumerate(images, 1) if image.image.url in parsed.sources}

    def place(match):
        index = int(match.group(1))
        if 1 <= index <= len(images):
            placed.add(index)
            return str(figure(images[index - 1]))
        return escape(match.group(0))

    tokens = parsed.tokens
    out = []
    i = 0
    while i < len(tokens):
        kind, tag, source, has_attrs = tokens[i]
        if kind == "start" and tag == "p" and not has_attrs and i + 2 < len(tokens):
            # A marker alone in its paragraph becomes the figure itself, not a figure in a <p>.
            _kind, _tag, inner, _attrs = tokens[i + 1]
            if (
                _kind == "text"
                and tokens[i + 2][:2] == ("end", "p")
                and (alone := IMAGE_TOKEN.fullmatch(inner.strip()))
                and 1 <= int(alone.group(1)) <= len(images)
            ):
                out.append(place(alone))
                i += 3
                continue
        out.append(IMAGE_TOKEN.sub(place, source) if kind == "text" else source)
        i += 1
    html = "".join(out)
    rest = [str(figure(img)) for i, img in enumerate(images, 1) if i not in placed]
    return "\n".join([html, *rest]) if rest else html
