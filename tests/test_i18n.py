"""Korean by default, English on request; no interface string left untranslated."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.pages import soup, text

pytestmark = pytest.mark.django_db

ROOT = settings.BASE_DIR
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def headers(page):
    return [text(th) for th in page.select("table.post-table thead th")]


def test_interface_is_korean_by_default(client, board):
    PostFactory()
    page = soup(client.get("/"))
    assert page.html["lang"] == "ko"
    assert headers(page) == ["번호", "제목", "글쓴이", "날짜", "조회 수"]


def test_browser_asking_for_english_gets_english(client, board):
    post = PostFactory(title="우체국 소식")
    CommentFactory(post=post)

    page = soup(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert page.html["lang"] == "en"
    assert headers(page) == ["No.", "Title", "Author", "Date", "Views"]
    assert text(page.select_one(".skip-link")) == "Skip to content"

    article = soup(client.get(post.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
    assert text(article.select_one(".comments h2")) == "Comments 1"
    assert "Log in to comment." in text(article.select_one(".comment-login"))
    # Articles themselves are not translated.
    assert text(article.select_one("h1.post-title")) == "우체국 소식"


def test_switcher_remembers_the_chosen_language(client, board):
    post = PostFactory()
    links = soup(client.get(post.get_absolute_url())).select(".language-links a")
    assert [(a["lang"], text(a)) for a in links] == [("ko", "한국어"), ("en", "English")]
    response = client.get(links[1]["href"])
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    # Kept for a year, not only for the browser session.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 365 * 24 * 60 * 60
    assert headers(soup(client.get("/")))[0] == "No."
    client.get("/language/ko/?next=/")
    assert headers(soup(client.get("/")))[0] == "번호"


@pytest.mark.parametrize("url", ["/language/fr/", "/language/en/?next=https://evil.example/"])
def test_unknown_language_or_foreign_next_goes_nowhere_else(client, board, url):
    response = client.get(url)
    if "fr" in url:
        assert response.status_code == 404
    else:
        assert response["Location"] == "/"


def test_english_error_messages_on_forms(client, board):
    post = PostFactory()
    client.force_login(UserFactory())
    response = client.post(f"/{post.number}/comments/", {"body": " "}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Please write a comment." in text(soup(response).select_one(".comment-form"))


def test_every_interface_string_has_an_english_translation(tmp_path):
    """Extract the strings from the sources now, as makemessages does, and look each up."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("gettext is missing; .ci/run installs it")
        pytest.skip("gettext is not installed (apt-get install gettext)")
    for name in ["board", "templates", "postbbs", "locale", "manage.py"]:
        source = ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "postbbs.settings"},
        check=True,
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in fresh.untranslated_entries()]
    fuzzy = [e.msgid for e in fresh.fuzzy_entries()]
    assert untranslated == [], "run makemessages -l en and translate these"
    assert fuzzy == []
    # Every string of the catalogue is still found in the sources: none hides from extraction
    # (as a Jinja2 template's would from Django's own template lexer).
    committed = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    assert {e.msgid for e in fresh} == committed
    assert len(fresh.translated_entries()) > 100


def test_extraction_reads_jinja2_calls_with_their_lines_and_skips_comments():
    from board.management.commands.makemessages import templatize

    source = (
        '<p title="{{ _(\'제목\') }}">\n{# _("주석") #}\n'
        '{{ _("%(n)s개", n=count) }}{% if ngettext("한 개", "%(num)d개", n) %}x{% endif %}\n'
        '<b>_("본문")</b>'
    )
    code = templatize(source)
    assert code.count("\n") == source.count("\n")  # locations stay right
    lines = code.split("\n")
    assert "_('제목')" in lines[0]
    assert "주석" not in code  # a template comment is not for translators
    assert '_("%(n)s개", n=count)' in lines[2]
    assert 'ngettext("한 개", "%(num)d개", n)' in lines[2]
    assert "본문" not in code  # text outside tags is the page's, not a string to translate


def test_compiled_catalogue_matches_the_translations():
    po = polib.pofile(str(PO))
    with Path(MO).open("rb") as catalogue:
        compiled = gettext.GNUTranslations(catalogue)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr_plural[1]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_extraction_keeps_the_line_of_a_string_below_a_leading_line_break():
    from board.management.commands.makemessages import templatize

    # A template that opens with a line break (as one after a ``{% extends %}`` line would).
    code = templatize('\n{{ _("첫 줄 아래") }}')
    assert '_("첫 줄 아래")' in code.split("\n")[1]
    # Nothing but the line breaks and the tag's code reaches xgettext.
    assert code == '\n  _("첫 줄 아래")  ;'


def test_extraction_keeps_the_lines_below_a_comment_of_several_lines():
    from board.management.commands.makemessages import templatize

    # As the notes that open includes/listing.html: the strings below keep their own line.
    source = '{#- 목록 표:\n    설명 #}\n<p>{{ _("번호") }}</p>'
    code = templatize(source)
    assert code.count("\n") == source.count("\n")
    assert '_("번호")' in code.split("\n")[2]
