"""``makemessages`` that reads the Jinja2 templates.

Django's command turns each template into Python-like text for xgettext with its own template
lexer, which knows only Django's tags. Here every Jinja2 ``{{ … }}`` and ``{% … %}`` is handed
to xgettext as it is (Jinja2 expressions are Python expressions), and the text between them is
blanked out with its line breaks kept, so ``_("…", name=value)``, ``gettext``, ``ngettext`` and
``pgettext`` calls are found with their line numbers. Python files are read as before.
"""

import re

from django.core.management.commands import makemessages

TAG = re.compile(r"\{\{(.*?)\}\}|\{%-?(.*?)-?%\}|\{#.*?#\}", re.S)


def templatize(src, origin=None):
    out, position = [], 0
    for match in TAG.finditer(src):
        out.append(_newlines(src[position : match.start()]))
        code = match.group(1) or match.group(2) or ""
        # A comment keeps only its line breaks (its whole text's: it has no group), so the
        # strings below it keep their lines; code is separated from the next tag's.
        tag = match.group(0)
        out.append(_newlines(tag) if tag.startswith("{#") else f" {code} ;")
        position = match.end()
    out.append(_newlines(src[position:]))
    return "".join(out)


def _newlines(text):
    return "\n" * text.count("\n")


class Command(makemessages.Command):
    def handle(self, *args, **options):
        original = makemessages.templatize
        makemessages.templatize = templatize
        try:
            super().handle(*args, **options)
        finally:
            makemessages.templatize = original
