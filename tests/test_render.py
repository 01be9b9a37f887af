"""The page environment's own pieces measured against what Jinja does itself."""
from __future__ import annotations

import jinja2
from babel.support import Translations

from generator.render import _quick_gettext

TEMPLATE = ('{{ _("Hello %(name)s", name=who) }}|{{ _("100%%") }}|{{ _("Draft") }}|{{ _("Draft") }}|'
            '{% autoescape false %}{{ _("Hello %(name)s", name=who) }}{% endautoescape %}|{{ _("a < b") }}')


def test_quick_gettext_gives_what_jinja_newstyle_gettext_gives():
    translations = Translations()
    translations._catalog = {"Draft": "Bản nháp", "Hello %(name)s": "Chào %(name)s", "a < b": "a < b"}
    rendered = []
    for quick in (False, True):
        env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        env.install_gettext_translations(translations, newstyle=True)
        if quick:
            env.globals["_"] = _quick_gettext(translations.gettext)
        rendered.append(env.from_string(TEMPLATE).render(who="<b>"))
    assert rendered[0] == rendered[1]
    assert rendered[1] == "Chào &lt;b&gt;|100%|Bản nháp|Bản nháp|Chào <b>|a < b"
