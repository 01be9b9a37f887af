"""A seeded corpus of a campaign site, written in each benchmarked tool's own format.

    python bench/corpus.py N DEST [--seed 1]

DEST/outreach is an Outreach site; DEST/pelican, DEST/hugo and DEST/eleventy hold the same
articles (same text, dates and tags) for Pelican, Hugo and Eleventy, each configured for the
same outputs: one page per article, a paginated index (10 per page), paginated tag pages and
one feed.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

SYLLABLES = (
    "hiến máu cứu người nghĩa cử cao đẹp tình nguyện thanh niên công an chiến sĩ đoàn viên hội chữ thập đỏ "
    "bệnh viện ngân hàng máu sống đơn vị nhóm sức khoẻ cộng đồng phong trào tuyên truyền vận động tổ chức "
    "ngày hội tham gia đăng ký khám sàng lọc người bệnh cấp cứu giọt hồng yêu thương chia sẻ trách nhiệm "
    "xã hội gia đình tỉnh huyện xã phường trường học cơ quan doanh nghiệp lực lượng vũ trang kết quả "
    "năm tháng tuần sáng chiều lượt đợt kế hoạch thông báo chỉ tiêu vượt mức"
).split()
TAGS = [f"chủ đề {w}" for w in ("hiến máu", "tình nguyện", "thanh niên", "công an", "chữ thập đỏ", "bệnh viện",
                               "cấp cứu", "tuyên truyền", "vinh danh", "kết quả", "thông báo", "sức khoẻ",
                               "khám sàng lọc", "ngân hàng máu", "đoàn viên", "phụ nữ", "trường học", "doanh nghiệp",
                               "cộng đồng", "kế hoạch", "tổng kết", "đầu xuân", "mùa hè", "lễ hội", "nhóm máu",
                               "giọt hồng", "chia sẻ", "yêu thương", "trách nhiệm", "phong trào")]
START = datetime(2015, 1, 1, 8, 0)


@dataclass
class Article:
    index: int
    title: str
    date: datetime
    tags: list[str]
    body: str
    stem: str


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(SYLLABLES) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def article(rng: random.Random, index: int) -> Article:
    target = rng.randint(600, 900)
    parts, count = [], 0
    while count < target:
        kind = rng.random()
        if kind < 0.12:
            heading = sentence(rng, rng.randint(3, 7)).rstrip(".")
            parts.append(f"## {heading}")
            count += len(heading.split())
        elif kind < 0.24:
            items = [sentence(rng, rng.randint(5, 12)) for _ in range(rng.randint(2, 5))]
            parts.append("\n".join(f"- {item}" for item in items))
            count += sum(len(i.split()) for i in items)
        else:
            sentences = [sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5))]
            if rng.random() < 0.3:
                sentences.append(f"Xem [trang tổ chức](https://example.org/{rng.randint(1, 999)}).")
            paragraph = " ".join(sentences)
            parts.append(paragraph)
            count += len(paragraph.split())
    title = f"{sentence(rng, rng.randint(4, 9)).rstrip('.')} {index}"
    date = START + timedelta(hours=7 * index + rng.randint(0, 5))
    return Article(index, title, date, rng.sample(TAGS, rng.randint(1, 3)), "\n\n".join(parts) + "\n",
                   f"{date:%Y-%m-%d}-bai-{index:05d}")


def articles(n: int, seed: int) -> list[Article]:
    rng = random.Random(seed)
    return [article(rng, i) for i in range(n)]


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_outreach_post(dest: Path, a: Article) -> None:
    (dest / "content" / "posts" / f"{a.stem}.md").write_text(
        f"---\ntitle: {q(a.title)}\nsummary: {q(a.body.split(chr(10))[0][:160])}\ndate: {a.date:%Y-%m-%d %H:%M}\ntags: [{', '.join(q(t) for t in a.tags)}]\n"
        f"---\n{a.body}", encoding="utf-8")


def write_pelican_post(dest: Path, a: Article) -> None:
    (dest / "content" / f"{a.stem}.md").write_text(
        f"Title: {a.title}\nCategory: tin-tuc\nDate: {a.date:%Y-%m-%d %H:%M}\nTags: {', '.join(a.tags)}\nSlug: {a.stem}\n\n{a.body}",
        encoding="utf-8")


def write_hugo_post(dest: Path, a: Article) -> None:
    (dest / "content" / "posts" / f"{a.stem}.md").write_text(
        f"---\ntitle: {q(a.title)}\ndate: {a.date:%Y-%m-%dT%H:%M:00+07:00}\ntags: [{', '.join(q(t) for t in a.tags)}]\n"
        f"slug: {a.stem}\n---\n{a.body}", encoding="utf-8")


def write_eleventy_post(dest: Path, a: Article) -> None:
    tags = json.dumps(["post"] + a.tags, ensure_ascii=False)
    (dest / "src" / "posts" / f"{a.stem}.md").write_text(
        f"---\ntitle: {q(a.title)}\ndate: {a.date:%Y-%m-%dT%H:%M:00+07:00}\ntags: {tags}\n---\n{a.body}",
        encoding="utf-8")


def write_outreach(dest: Path, items: list[Article], seed: int) -> None:
    (dest / "content" / "posts").mkdir(parents=True)
    (dest / "content" / "events").mkdir()
    (dest / "content" / "donors").mkdir()
    (dest / "config.yaml").write_text(
        'title: "Bench"\nbase_url: https://bench.example/\nlanguage: vi\ntimezone: Asia/Ho_Chi_Minh\npaginate: 10\n'
        "feeds: {items: 20}\n"
        # the peers build no search index; measure the same outputs (calendars and sitemap stay on)
        "search: false\n", encoding="utf-8")
    (dest / "content" / "posts").mkdir(exist_ok=True)
    for a in items:
        write_outreach_post(dest, a)
    rng = random.Random(seed + 1)
    for i in range(max(2, len(items) // 50)):
        start = START + timedelta(days=30 * i)
        (dest / "content" / "events" / f"{start:%Y-%m-%d}-dot-{i}.yaml").write_text(
            f'title: "Đợt hiến máu số {i}"\nstart: {start:%Y-%m-%d} 07:30\nend: {start:%Y-%m-%d} 11:30\n'
            f'venue: {{name: "Hội trường {i}", address: "Số {i}, phường Mẫu"}}\n'
            f"results: {{donors: {rng.randint(50, 300)}, units: {rng.randint(50, 300)}}}\nregistration: \"\"\n",
            encoding="utf-8")
    people = "\n".join(f'  - {{name: "Người {i}", unit: "Đơn vị {i % 9}", donations: {rng.randint(1, 80)}, '
                       f'consent: {"true" if i % 3 else "false"}}}' for i in range(max(10, len(items) // 10)))
    (dest / "content" / "donors" / "vinh-danh.yaml").write_text(
        f'title: "Vinh danh"\naward: Giấy khen\ndate: 2023-12-05\npeople:\n{people}\n', encoding="utf-8")


def write_pelican(dest: Path, items: list[Article]) -> None:
    (dest / "content").mkdir(parents=True)
    for a in items:
        write_pelican_post(dest, a)
    (dest / "pelicanconf.py").write_text(
        'SITENAME = "Bench"\nSITEURL = ""\nTIMEZONE = "Asia/Ho_Chi_Minh"\nDEFAULT_LANG = "vi"\n'
        "DEFAULT_PAGINATION = 10\nPAGINATED_TEMPLATES = {'index': None, 'tag': None, 'category': None, 'author': None}\n"
        "FEED_ALL_ATOM = 'feeds/all.atom.xml'\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
        "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nFEED_DOMAIN = 'https://bench.example'\n"
        "MARKDOWN = {'extensions': ['markdown.extensions.extra', 'markdown.extensions.toc'], 'output_format': 'html5'}\n"
        "DIRECT_TEMPLATES = ['index', 'tags']\nAUTHOR_SAVE_AS = ''\nCATEGORY_SAVE_AS = ''\nCATEGORIES_SAVE_AS = ''\n"
        "AUTHORS_SAVE_AS = ''\nARCHIVES_SAVE_AS = ''\nCACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n", encoding="utf-8")


def write_hugo(dest: Path, items: list[Article]) -> None:
    (dest / "content" / "posts").mkdir(parents=True)
    (dest / "layouts" / "_default").mkdir(parents=True)
    (dest / "hugo.toml").write_text(
        'baseURL = "https://bench.example/"\nlanguageCode = "vi"\ntitle = "Bench"\n'
        "disableKinds = ['section', 'taxonomy', 'sitemap', 'robotsTXT', '404']\n"
        "[pagination]\n  pagerSize = 10\n[taxonomies]\n  tag = 'tags'\n"
        "[outputs]\n  home = ['HTML', 'RSS']\n  term = ['HTML']\n", encoding="utf-8")
    layouts = dest / "layouts" / "_default"
    (layouts / "baseof.html").write_text(
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
        "<body>{{ block \"main\" . }}{{ end }}</body></html>\n", encoding="utf-8")
    (layouts / "single.html").write_text(
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "02/01/2006" }}</time>'
        "{{ .Content }}<p>{{ range .Params.tags }}<a href=\"{{ (printf \"/tags/%s/\" (urlize .)) }}\">{{ . }}</a> "
        "{{ end }}</p></article>{{ end }}\n", encoding="utf-8")
    (layouts / "list.html").write_text(
        # the list is never filtered inside the template (Hugo re-evaluates that on every page)
        '{{ define "main" }}{{ range (.Paginate (cond .IsHome site.RegularPages .Pages)).Pages }}'
        '<h2><a href="{{ .RelPermalink }}">'
        '{{ .Title }}</a></h2><p>{{ .Summary | plainify | truncate 200 }}</p>{{ end }}{{ template "_internal/pagination.html" . }}{{ end }}\n',
        encoding="utf-8")
    for a in items:
        write_hugo_post(dest, a)


def write_eleventy(dest: Path, items: list[Article]) -> None:
    (dest / "src" / "posts").mkdir(parents=True)
    (dest / "src" / "_includes").mkdir()
    (dest / "src" / "_includes" / "post.njk").write_text(
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>'
        "<article><h1>{{ title }}</h1>{{ content | safe }}</article></body></html>\n", encoding="utf-8")
    (dest / "src" / "posts" / "posts.json").write_text('{"layout": "post.njk", "tags": ["post"]}', encoding="utf-8")
    (dest / "src" / "index.njk").write_text(
        "---\npagination: {data: collections.post, size: 10, reverse: true}\npermalink: \"/{% if pagination.pageNumber > 0 %}"
        "page/{{ pagination.pageNumber + 1 }}/{% endif %}\"\n---\n<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
        "<title>Bench</title></head><body>{% for p in pagination.items %}<h2><a href=\"{{ p.url }}\">{{ p.data.title }}</a></h2>"
        "{% endfor %}</body></html>\n", encoding="utf-8")
    (dest / "src" / "tags.njk").write_text(
        "---\npagination: {data: collections.tagpages, size: 1, alias: tp}\npermalink: \"/tags/{{ tp.slug }}/{% if tp.page > 1 %}page/{{ tp.page }}/{% endif %}\"\n"
        "---\n<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{{ tp.tag }}</title></head><body>"
        "{% for p in tp.items %}<h2><a href=\"{{ p.url }}\">{{ p.data.title }}</a></h2>{% endfor %}</body></html>\n",
        encoding="utf-8")
    (dest / "src" / "feed.njk").write_text(
        "---\npermalink: /feed.xml\neleventyExcludeFromCollections: true\n---\n<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Bench</title>{% for p in collections.post | reverse %}"
        "{% if loop.index <= 20 %}<entry><title>{{ p.data.title }}</title><link href=\"https://bench.example{{ p.url }}\"/>"
        "</entry>{% endif %}{% endfor %}</feed>\n", encoding="utf-8")
    (dest / "eleventy.config.js").write_text(
        "module.exports = function (cfg) {\n"
        "  cfg.addCollection('tagpages', (api) => {\n"
        "    const byTag = new Map();\n"
        "    for (const p of api.getFilteredByTag('post').reverse()) for (const t of p.data.tags || []) {\n"
        "      if (t === 'post') continue; if (!byTag.has(t)) byTag.set(t, []); byTag.get(t).push(p); }\n"
        "    const pages = [];\n"
        "    for (const [tag, items] of byTag) for (let i = 0; i * 10 < items.length; i++)\n"
        "      pages.push({ tag, slug: cfg.getFilter('slugify')(tag), page: i + 1, items: items.slice(i * 10, i * 10 + 10) });\n"
        "    return pages; });\n"
        "  return { dir: { input: 'src', output: '_site' } };\n};\n", encoding="utf-8")
    for a in items:
        write_eleventy_post(dest, a)


def main_args(n: int, dest: Path, tools: list[str], seed: int = 1) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    items = articles(n, seed)
    writers = {"outreach": lambda d: write_outreach(d, items, seed), "pelican": lambda d: write_pelican(d, items),
               "hugo": lambda d: write_hugo(d, items), "eleventy": lambda d: write_eleventy(d, items)}
    for tool in tools:
        writers[tool](dest / tool)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tools", default="outreach,pelican,hugo,eleventy")
    args = parser.parse_args()
    main_args(args.n, args.dest, args.tools.split(","), args.seed)
    print(f"wrote {args.n} articles for {args.tools} into {args.dest}")


if __name__ == "__main__":
    main()
