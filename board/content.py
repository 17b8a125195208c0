"""Article bodies: sanitising HTML and placing images, done once when an article is saved."""

import re

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

IMAGE_TOKEN = re.compile(r"\[image:(\d{1,3})\]")


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
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


def render_body(body, body_format, images):
    """The reader's HTML for an article: sanitised, with [image:N] replaced by the N-th image.

    Images the body does not place follow it, so none is lost.
    """
    html = sanitize(body) if body_format == "html" else str(text_to_html(body))
    placed = set()

    def place(match):
        index = int(match.group(1))
        if 1 <= index <= len(images):
            placed.add(index)
            return str(figure(images[index - 1]))
        return escape(match.group(0))

    # A token alone in its paragraph becomes the figure itself, not a figure inside a <p>.
    html = re.sub(r"<p>\s*(\[image:\d{1,3}\])\s*</p>", r"\1", html)
    html = IMAGE_TOKEN.sub(place, html)
    rest = [str(figure(img)) for i, img in enumerate(images, 1) if i not in placed]
    return "\n".join([html, *rest]) if rest else html
