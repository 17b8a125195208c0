"""Reading rendered pages the way a reader sees them."""

from bs4 import BeautifulSoup

# The admin's article form, with its image and file inlines left empty.
NO_IMAGES = {
    "images-TOTAL_FORMS": "0",
    "images-INITIAL_FORMS": "0",
    "images-MIN_NUM_FORMS": "0",
    "images-MAX_NUM_FORMS": "1000",
    "attachments-TOTAL_FORMS": "0",
    "attachments-INITIAL_FORMS": "0",
    "attachments-MIN_NUM_FORMS": "0",
    "attachments-MAX_NUM_FORMS": "1000",
}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(node):
    return " ".join(node.get_text(" ", strip=True).split())


def listing_rows(page):
    """The listing's rows as dicts of what each column shows."""
    rows = []
    for tr in page.select("table.post-table tbody tr"):
        cells = tr.find_all("td")
        if len(cells) < 5:
            continue
        title = cells[1].find("a")
        count = cells[1].select_one(".comment-count")
        rows.append(
            {
                "number": text(cells[0]),
                "title": text(title),
                "href": title["href"],
                "comments": text(count) if count else "",
                "image": cells[1].select_one("img.mark-image") is not None,
                "file": cells[1].select_one("img.mark-file") is not None,
                "new": cells[1].select_one(".mark-new") is not None,
                "author": text(cells[2]),
                "date": text(cells[3]),
                "views": text(cells[4]),
                "notice": "notice" in (tr.get("class") or []),
            }
        )
    return rows


def textarea_value(page, name):
    """A textarea's value as a browser shows it (the parser keeps Django's leading newline)."""
    return page.select_one(f"textarea[name={name}]").get_text().removeprefix("\n")
