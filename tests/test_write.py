"""Output safety: refusing dangerous folders, atomic replacement, recovery after a killed build."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import NOW, SITES, leftovers, run_cli, tree_bytes
from generator.write import (MARKER, OLD_PREFIX, STAGING_PREFIX, TRASH_PREFIX, recover, wait_for_removals,
                             write_site)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "work" / "site"
    shutil.copytree(SITES / "full", target, ignore=shutil.ignore_patterns(".cache"))
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return tree_bytes(folder)


@pytest.mark.parametrize("where", [".", "..", "content", "content/posts", "templates"])
def test_dangerous_output_folders_are_refused_and_nothing_is_deleted(site: Path, where: str):
    (site / "templates").mkdir()
    (site / "templates" / "keep.txt").write_text("keep", encoding="utf-8")
    before = snapshot(site.parent)
    result = run_cli("build", "--site", site, "--output", site / where, "--now", NOW)
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site.parent) == before


def test_folder_holding_sources_is_refused(site: Path, tmp_path: Path):
    other = tmp_path / "other-site"
    shutil.copytree(SITES / "full", other, ignore=shutil.ignore_patterns(".cache"))
    before = snapshot(other)
    result = run_cli("build", "--site", site, "--output", other, "--now", NOW)
    assert result.code == 2 and "config.yaml" in result.stderr
    assert snapshot(other) == before


def test_foreign_non_empty_folder_is_refused(site: Path, tmp_path: Path):
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"precious")
    result = run_cli("build", "--site", site, "--output", foreign, "--now", NOW)
    assert result.code == 2 and "không trống" in result.stderr  # the fixture site is Vietnamese
    assert (foreign / "thesis.docx").read_bytes() == b"precious"


def test_rebuild_replaces_our_own_output_whole(site: Path):
    out = site / "output"
    assert run_cli("build", "--site", site, "--now", NOW).code == 0
    (out / "stale.html").write_text("old", encoding="utf-8")
    assert (out / MARKER).exists()
    assert run_cli("build", "--site", site, "--now", NOW).code == 0
    assert not (out / "stale.html").exists()
    assert leftovers(site) == []


def test_empty_existing_folder_is_accepted(site: Path, tmp_path: Path):
    empty = tmp_path / "public"
    empty.mkdir()
    assert run_cli("build", "--site", site, "--output", empty, "--now", NOW).code == 0
    assert (empty / "index.html").is_file()


def test_recover_restores_output_when_killed_between_renames(tmp_path: Path):
    out = tmp_path / "output"
    write_site(out, {"index.html": b"v1"})
    # simulate a kill after 'output -> old' and before 'staging -> output'
    old = tmp_path / (OLD_PREFIX + "output-abc")
    os.replace(out, old)
    staging = tmp_path / (STAGING_PREFIX + "output-def")
    staging.mkdir()
    (staging / "index.html").write_bytes(b"half")
    recover(out)
    assert (out / "index.html").read_bytes() == b"v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_write_failure_leaves_old_output(tmp_path: Path):
    out = tmp_path / "output"
    write_site(out, {"index.html": b"v1"})
    with pytest.raises(ValueError):
        write_site(out, {"index.html": b"v2", "../escape.html": b"x"})
    assert (out / "index.html").read_bytes() == b"v1"
    assert not (tmp_path / "escape.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_replaced_output_is_removed_in_the_background(tmp_path: Path):
    out = tmp_path / "output"
    write_site(out, {"index.html": b"v1", "a/index.html": b"a"})
    write_site(out, {"index.html": b"v2"})
    assert (out / "index.html").read_bytes() == b"v2" and not (out / "a").exists()
    wait_for_removals(timeout=30)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_trash_is_never_restored_and_is_removed_by_the_next_build(tmp_path: Path):
    out = tmp_path / "output"
    write_site(out, {"index.html": b"v1"})
    # a remover that never ran (machine stopped) and an output deleted by hand meanwhile
    trash = tmp_path / (TRASH_PREFIX + "output-abc")
    os.replace(out, trash)
    recover(out)
    assert not out.exists() and not trash.exists()
    write_site(out, {"index.html": b"v2"})
    wait_for_removals(timeout=30)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


SITE_V1 = {"index.html": b"home", "a/index.html": b"A", "b/index.html": b"B", "c.txt": b"C"}


def two_builds(tmp_path: Path) -> tuple[Path, Path, dict]:
    """An output built twice: the second build kept the first output as the spare."""
    out, spare, manifest = tmp_path / "output", tmp_path / "cache" / "spare" / "x", {}
    write_site(out, SITE_V1, manifest=manifest, spare=spare)
    write_site(out, SITE_V1, manifest=manifest, spare=spare)
    assert (spare / "a" / "index.html").stat().st_ino == (out / "a" / "index.html").stat().st_ino  # hard-linked
    return out, spare, manifest


def test_spare_is_recycled_and_never_written_through(tmp_path: Path):
    out, spare, manifest = two_builds(tmp_path)
    changed = {"index.html": b"home", "a/index.html": b"A2", "d/e/index.html": b"E"}

    def fail(staging: Path) -> None:
        raise RuntimeError("indexing failed")

    with pytest.raises(RuntimeError):
        write_site(out, changed, before_swap=fail, manifest=manifest, spare=spare)
    assert tree_bytes(out) == {MARKER: b"", **SITE_V1}  # 'a' shared its inode with the spare: not written into
    write_site(out, changed, manifest=manifest, spare=spare)
    write_site(out, changed, manifest=manifest, spare=spare)  # recycles the output with c.txt and b/
    assert tree_bytes(out) == {MARKER: b"", **changed}
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "index.html", "a", "d"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "output"]


def test_pages_taken_by_their_inode_are_kept_in_place_or_else_linked(tmp_path: Path):
    """A page worker tells a page taken from the last build whose very file the recycled tree
    holds by its inode alone (Staging.taken); where the tree has changed there since (here, a
    stray file in place of the recycled one), the page is put as usual, linked from the output."""
    from generator.sinks import identity
    from generator.write import Staging
    out, spare, manifest = two_builds(tmp_path)
    inodes = {rel: (out / rel).stat().st_ino for rel in SITE_V1}
    with Staging(out, manifest, spare) as staging:
        staging.direct()  # the staging folder, the spare recycled into it (as before the page workers start)
        os.unlink(staging.staging / "b" / "index.html")
        (staging.staging / "b" / "index.html").write_bytes(b"stray")
        staging.present_files["b/index.html"] = (staging.staging / "b" / "index.html").stat().st_ino
        for rel in ("a/index.html", "b/index.html"):
            staging.taken(rel, inodes[rel], identity(SITE_V1[rel]), False)
        for rel in ("index.html", "c.txt"):
            staging.put(rel, SITE_V1[rel])
        staging.finish()
    assert tree_bytes(out) == {MARKER: b"", **SITE_V1}
    assert {rel: (out / rel).stat().st_ino for rel in SITE_V1} == inodes  # each the last build's file
    assert staging.written == 0


def test_recycled_spare_never_follows_links_and_drops_strays(tmp_path: Path):
    out, spare, manifest = two_builds(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_bytes(b"precious")
    shutil.rmtree(spare / "a")
    (spare / "a").symlink_to(outside, target_is_directory=True)  # a folder replaced by a link out
    (spare / "c.txt").unlink()
    (spare / "c.txt").symlink_to(outside / "index.html")  # a file replaced by a link out
    shutil.rmtree(spare / "b")
    (spare / "b").write_bytes(b"a file where a folder goes")
    (spare / "stale.html").write_bytes(b"stale")
    write_site(out, SITE_V1, manifest=manifest, spare=spare)
    assert tree_bytes(out) == {MARKER: b"", **SITE_V1}
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert (outside / "index.html").read_bytes() == b"precious" and sorted(outside.iterdir()) == [outside / "index.html"]


def test_files_stream_into_staging_and_an_abandoned_build_leaves_the_output(tmp_path: Path):
    """Staging: files are written as they are put (no build holds every page at once); leaving the
    block without finish() drops them, and a build that failed before its first file leaves even
    the spare where it was."""
    from generator.sinks import Kept, identity
    from generator.write import Staging
    out, spare, manifest = two_builds(tmp_path)
    with pytest.raises(RuntimeError):
        with Staging(out, dict(manifest), spare):
            raise RuntimeError("content errors: nothing put yet")
    assert spare.is_dir() and tree_bytes(out) == {MARKER: b"", **SITE_V1}
    with pytest.raises(RuntimeError):
        with Staging(out, dict(manifest), spare) as staging:
            staging.put("index.html", b"half")
            written = [p for p in tmp_path.iterdir() if p.name.startswith(STAGING_PREFIX)]
            assert len(written) == 1 and (written[0] / "index.html").read_bytes() == b"half"  # on disk already
            raise RuntimeError("a template error half-way")
    assert tree_bytes(out) == {MARKER: b"", **SITE_V1}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(STAGING_PREFIX)]
    # what the last build wrote is handed out as a file, not bytes, and only if untouched since
    with Staging(out, manifest, None) as staging:
        kept = staging.previous("a/index.html", identity(b"A"))
        assert kept == Kept(identity(b"A"), str(out / "a" / "index.html"), (out / "a" / "index.html").stat().st_ino,
                            "a/index.html")
        assert staging.previous("a/index.html", identity(b"other")) is None
        (out / "b" / "index.html").write_bytes(b"edited by hand")
        assert staging.previous("b/index.html", identity(b"B")) is None
        staging.put("a/index.html", kept)
        staging.put("b/index.html", b"B")
        before = (out / "a" / "index.html").stat().st_ino
        staging.finish()
    assert tree_bytes(out) == {MARKER: b"", "a/index.html": b"A", "b/index.html": b"B"}
    assert (out / "a" / "index.html").stat().st_ino == before  # linked, not rewritten


def test_a_manifest_given_later_gives_what_one_given_at_once_gives(tmp_path: Path):
    """A build opens its cache, whence the manifest, inside the Staging block (Staging.LATER, then
    ``follow``), so that the spare's child works meanwhile: the first build after a cold one (the
    spare to be made) and the next (the spare to be listed) give, with the manifest given later,
    what they give with it given at once: the same output, the unchanged files the very files of
    the last output (linked), the same manifest, the replaced output kept as the spare."""
    from generator.parallel import can_fork
    from generator.write import Staging
    outcome = {}
    for later in (False, True):
        out, spare, manifest = two_builds(tmp_path / str(later))
        shutil.rmtree(spare)
        seen = []
        for version in ({**SITE_V1, "b/index.html": b"B2", "d/index.html": b"D"}, {**SITE_V1, "e.txt": b"E"}):
            inodes = {rel: (out / rel).stat().st_ino for rel in SITE_V1}
            with Staging(out, Staging.LATER if later else manifest, spare) as staging:
                assert (staging.maker is not None) == can_fork()
                if later:
                    staging.follow(manifest)
                for rel, data in sorted(version.items()):
                    staging.put(rel, data)
                staging.finish()
            assert tree_bytes(out) == {MARKER: b"", **version}
            assert tree_bytes(spare)[MARKER] == b""  # the replaced output
            seen.append((sorted(rel for rel in SITE_V1 if (out / rel).stat().st_ino == inodes[rel]),
                         {rel: entry[0] for rel, entry in manifest.items()}))
        outcome[later] = seen
    assert outcome[True] == outcome[False]
    assert outcome[True][0][0] == ["a/index.html", "c.txt", "index.html"]  # linked: only b/index.html changed


def test_a_spare_stopped_half_made_is_removed(tmp_path: Path, monkeypatch):
    """Ctrl-C in the spare's child (a KeyboardInterrupt half-way through the links) leaves nothing
    half-made in the cache, where no build would take it or remove it."""
    from generator import write
    out, spare, _ = two_builds(tmp_path)
    shutil.rmtree(spare)
    real, calls = os.link, []

    def link(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(write.os, "link", link)
    with pytest.raises(KeyboardInterrupt):
        write._make_spare(out, spare)
    assert len(calls) == 2 and list(spare.parent.iterdir()) == []


def test_page_workers_writer_recycles_the_spare_as_put_does(tmp_path: Path):
    """The writer the page workers use (Staging.direct) into a recycled spare: a page with the bytes
    the last build wrote stays the very same file, a changed page is a new file (never written
    through the inode it shares with the live output), a new folder is made, and what would change
    the recycled tree's shape (a folder or a file in the way) is handed back to the parent."""
    from generator.sinks import identity
    from generator.write import Staging
    out, spare, manifest = two_builds(tmp_path)
    inode = (out / "index.html").stat().st_ino
    with Staging(out, manifest, spare) as staging:
        writer = staging.direct()
        done = {rel: writer.write(rel, data, identity(data)) for rel, data in
                [("index.html", b"home"), ("a/index.html", b"A2"), ("d/e/index.html", b"E"), ("b", b"a file"),
                 ("c.txt/index.html", b"under a file")]}
        assert done["index.html"][2:] == (inode, True)  # kept: no system call at all
        assert done["a/index.html"][3] is False and done["d/e/index.html"][3] is False
        assert done["b"] is None and done["c.txt/index.html"] is None  # the parent's to write
        for rel, how in done.items():
            if how is None:
                staging.put(rel, {"b": b"a file", "c.txt/index.html": b"under a file"}[rel])
            else:
                staging.adopt(rel, identity(b""), False, how)
        assert staging.written == 4
        staging.finish()
    assert tree_bytes(out) == {MARKER: b"", "index.html": b"home", "a/index.html": b"A2", "d/e/index.html": b"E",
                               "b": b"a file", "c.txt/index.html": b"under a file"}
    assert (out / "index.html").stat().st_ino == inode
    assert tree_bytes(spare) == {MARKER: b"", **SITE_V1}  # the replaced output, untouched


def test_a_page_kept_in_place_leaves_what_the_general_path_leaves(tmp_path: Path):
    """Staging.put of the last build's page (a Kept from previous) where the recycled tree holds
    that very file keeps only the books (_in_place): against the same page put through the general
    path (a Kept without its path in the output, as a sink of another kind gives), the same output,
    files, inodes, manifest and books, whether the recycled tree holds that very file, another file
    (one edited by hand, or written by an older build), or nothing there."""
    import dataclasses

    from generator.sinks import identity
    from generator.write import Staging
    results = []
    for how in ("general", "in place"):
        out, spare, manifest = two_builds(tmp_path / how)
        (spare / "b" / "index.html").unlink()  # the recycled tree has no file there
        (spare / "b" / "index.html").write_bytes(b"B")  # ... now another one, with the same bytes
        os.unlink(spare / "c.txt")
        inodes = {rel: (out / rel).stat().st_ino for rel in SITE_V1}
        with Staging(out, manifest, spare) as staging:
            staging.put("d/index.html", b"new")  # makes the staging tree before any keep
            for rel, data in SITE_V1.items():
                kept = staging.previous(rel, identity(data))
                assert kept is not None and kept.safe == rel
                staging.put(rel, kept if how == "in place" else dataclasses.replace(kept, safe=""), identity(data),
                            rel == "index.html")
            books = (dict(staging.identities), set(staging.indexed), dict(staging.fresh), dict(staging.state),
                     dict(staging.present_files), set(staging.made), staging.written)
            staging.finish()
        assert tree_bytes(out) == {MARKER: b"", **SITE_V1, "d/index.html": b"new"}
        assert {rel: (out / rel).stat().st_ino for rel in SITE_V1} == inodes  # each the last build's file
        identities, indexed, fresh, state, present, made, written = books
        for rel in SITE_V1:  # sizes, times and inodes: those of the file now in the output
            stat = (out / rel).stat()
            assert fresh[rel][1:] == (stat.st_size, stat.st_mtime_ns) and manifest[rel] == fresh[rel], (how, rel)
            assert state[rel] == (stat.st_size, stat.st_mtime_ns, stat.st_ino), (how, rel)
        results.append((identities, indexed, {rel: entry[0] for rel, entry in fresh.items()}, sorted(state),
                        sorted(present), made, written))
    assert results[0] == results[1]


def test_a_recycled_file_no_other_name_shares_is_written_over_in_place(tmp_path: Path):
    """A page that changed in the last build and changes again (a list page when posts are added):
    the spare's copy of it is linked from nowhere else, so both writers write over it in place
    (unlinking it and making a new file cost five times as much), to the exact new length. One the
    live output shares is never written through."""
    from generator.sinks import identity
    from generator.write import Staging
    out, spare, manifest = two_builds(tmp_path)
    seen = []
    for round, data in enumerate([b"A2 is longer", b"A3", b"A4 again longer", b"5"]):
        lone = spare / "a" / "index.html"
        shared = lone.stat().st_nlink > 1  # the first time: the spare's 'a' is the live output's too
        seen.append(shared)
        before = lone.read_bytes()
        fd = os.open(lone, os.O_RDONLY)  # the file itself, whatever its name becomes
        try:
            if round % 2:
                write_site(out, {**SITE_V1, "a/index.html": data}, manifest=manifest, spare=spare)
            else:
                with Staging(out, manifest, spare) as staging:
                    writer = staging.direct()
                    for rel, page in {**SITE_V1, "a/index.html": data}.items():
                        staging.adopt(rel, identity(page), False, writer.write(rel, page, identity(page)))
                    staging.finish()
            assert tree_bytes(out) == {MARKER: b"", **SITE_V1, "a/index.html": data}
            kept, now = os.pread(fd, 100, 0), (out / "a" / "index.html").stat().st_ino
            assert kept == before if shared else (kept == data and os.fstat(fd).st_ino == now), round
        finally:
            os.close(fd)
    assert seen == [True, False, False, False]
    assert tree_bytes(spare) == {MARKER: b"", **SITE_V1, "a/index.html": b"A4 again longer"}


def test_writing_over_in_place_never_follows_a_link_nor_takes_another_file(tmp_path: Path):
    """What _overwrite is given is the file the listing of the recycled tree found: a link put there
    since, or another file, is left alone (the caller then replaces the name)."""
    from generator.write import _overwrite
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"precious")
    link = tmp_path / "page.html"
    link.symlink_to(outside)
    assert _overwrite(str(link), b"new", outside.stat().st_ino) is None
    other = tmp_path / "other.html"
    other.write_bytes(b"old")
    assert _overwrite(str(other), b"new", outside.stat().st_ino) is None
    assert outside.read_bytes() == b"precious" and other.read_bytes() == b"old"
    assert _overwrite(str(other), b"new", other.stat().st_ino).st_size == 3 and other.read_bytes() == b"new"


def spy_on_spare_maker(monkeypatch) -> list:
    """What each spare maker hands over, kept in the list returned: ({file: inode}, {folder}, stats)."""
    from generator import write
    handed = []
    finish = write._SpareMaker.finish

    def finished(self):
        made = finish(self)
        (files, folders), stats = made
        handed.append((dict(files), set(folders), stats))  # a copy: the staging folder uses it up
        return made

    monkeypatch.setattr(write._SpareMaker, "finish", finished)
    return handed


def test_without_a_spare_one_is_made_from_the_output_on_the_side(tmp_path: Path, monkeypatch):
    """The first build after a cold one has no spare: a forked child links the current output into
    one while the build goes on, and the build recycles it: unchanged files keep their inode, the
    replaced output is left exactly as it was (nothing written through a shared inode)."""
    out, spare, manifest = tmp_path / "output", tmp_path / "cache" / "spare" / "x", {}
    write_site(out, SITE_V1, manifest=manifest, spare=spare)
    assert not spare.exists()
    old = tree_bytes(out)
    inodes = {rel: (out / rel).stat().st_ino for rel in SITE_V1}
    handed = spy_on_spare_maker(monkeypatch)
    changed = {**{k: v for k, v in SITE_V1.items() if k != "c.txt"}, "a/index.html": b"A2", "d/index.html": b"D"}
    write_site(out, changed, manifest=manifest, spare=spare)
    files, folders, stats = handed[0]  # what the child made, handed over without a second walk
    assert set(files) == set(SITE_V1) and set(folders) >= {"a"}
    # and the stat of each file of the output it linked from, which is the spare now
    assert stats == {rel: (st.st_size, st.st_mtime_ns, st.st_ino) for rel in [*SITE_V1, MARKER]
                     for st in [(spare / rel).stat()]}
    assert tree_bytes(out) == {MARKER: b"", **changed}
    assert tree_bytes(spare) == old  # the replaced output, untouched
    assert all((out / rel).stat().st_ino == inodes[rel] for rel in changed if rel in SITE_V1 and changed[rel] == SITE_V1[rel])
    assert sorted(p.name for p in spare.parent.iterdir()) == ["x"]  # no half-made spare left behind


def test_an_existing_spare_is_listed_on_the_side(tmp_path: Path, monkeypatch):
    """With a spare at hand, a forked child lists it while the build goes on; the staging folder
    takes that listing instead of walking the tree again, and drops what it lists and no build
    wrote."""
    out, spare, manifest = two_builds(tmp_path)
    (spare / "stale.html").write_bytes(b"stale")
    handed = spy_on_spare_maker(monkeypatch)
    changed = {"index.html": b"home", "a/index.html": b"A2"}
    write_site(out, changed, manifest=manifest, spare=spare)
    files, folders, stats = handed[0]
    assert set(files) == {MARKER, "stale.html", *SITE_V1} and folders == {"a", "b"}
    assert set(stats) == {MARKER, *SITE_V1}  # the output's files, with the stat each had
    assert tree_bytes(out) == {MARKER: b"", **changed}


def test_page_workers_write_a_cold_build_themselves(site: Path, tmp_path: Path, monkeypatch):
    """Past 300 pages into an empty staging folder, the render workers write the pages and send back
    their stat: the same bytes as pages written by the parent, a record that matches a walk, and a
    manifest the next build links unchanged pages by."""
    from datetime import datetime

    from generator import render
    from generator.build import build
    from generator.cache import BuildCache
    from generator.uptodate import Records, output_state
    from generator.write import Staging

    for n in range(render.PARALLEL_PAGES):
        (site / "content" / "posts" / f"2020-02-01-dem-{n}.md").write_text(
            f"---\ntitle: Bài đệm {n}\ndate: 2020-02-01\ntags: [đệm]\n---\nĐoạn văn {n}.\n", encoding="utf-8")
    time.sleep(2.1)  # else the up-to-date record is not kept (inputs changed just before the build)
    now = datetime.fromisoformat(NOW)
    adopted = []
    real = Staging.adopt
    monkeypatch.setattr(Staging, "adopt", lambda self, rel, *rest: adopted.append(rel) or real(self, rel, *rest))
    out = tmp_path / "out"
    build(site, out, now=now)
    assert len(adopted) > render.PARALLEL_PAGES  # written by the workers, adopted by the parent
    monkeypatch.setattr(render, "PARALLEL_PAGES", 10**9)  # the parent writes every page
    build(site, tmp_path / "serial", now=now, use_cache=False)
    assert tree_bytes(out) == tree_bytes(tmp_path / "serial")
    record = Records(BuildCache.folder_of(site.resolve()))._load()[str(out.resolve())]
    assert record.outputs == output_state(out.resolve())
    inodes = {p: p.stat().st_ino for p in out.rglob("*.html")}
    post = site / "content" / "posts" / "2020-02-01-dem-7.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nThêm.\n", encoding="utf-8")
    adopted.clear()
    monkeypatch.setattr(render, "PARALLEL_PAGES", 300)
    build(site, out, now=now)
    assert adopted  # the edited post's page, written by a worker into the recycled output
    kept = sum(1 for p, ino in inodes.items() if p.exists() and p.stat().st_ino == ino)
    assert kept > len(inodes) * 0.9  # linked from the last output, as the manifest said they were
    build(site, tmp_path / "serial", now=now, use_cache=False)
    assert tree_bytes(out) == tree_bytes(tmp_path / "serial")
