"""Reads the source page (fixtures/source_page.txt): the 2008 board the project started from.

Used by the tests to check the shipped fixture against the page, row by row.
"""

import re
from dataclasses import dataclass


@dataclass
class Row:
    number: str  # "»" for the article shown above the listing
    title: str
    has_image: bool
    author: str
    date: str
    views: int


@dataclass
class SourcePage:
    title: str
    published: str
    body_lines: list
    comment_heading: str
    rows: list


def parse(text):
    lines = text.splitlines()
    heading = lines.index("댓글 0")
    table = lines.index("번호 | 제목 | 글쓴이 | 날짜 | 조회 수 |")
    # Rows with an image are folded over three lines on the page: join them back.
    joined = " ".join(lines[table + 2 :])
    joined = re.sub(r"\s*\|\s*", " | ", joined)
    cells = re.findall(r"(\d+|») \| (.+?) \| (\S+) \| (\d{4}\.\d{2}\.\d{2}) \| (\d+) \|", joined)
    rows = []
    for number, title, author, date, views in cells:
        has_image = title.endswith("![]()")
        title = title.removesuffix("![]()").strip()
        rows.append(Row(number, title, has_image, author, date, int(views)))
    return SourcePage(
        title=lines[0],
        published=lines[1],
        body_lines=lines[2:heading],
        comment_heading=lines[heading],
        rows=rows,
    )
