"""The bundled theme and catalogues ship inside the wheel, so a site without templates/ works anywhere."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_contains_theme_and_catalogues(tmp_path: Path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path,
                    ROOT], check=True, capture_output=True)
    wheel = next(tmp_path.glob("outreach-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("generator/theme/base.html", "generator/theme/partials/post_card.html",
                 "generator/theme/static/style.css", "generator/theme/locale/vi/LC_MESSAGES/theme.po",
                 "generator/locale/vi/LC_MESSAGES/outreach.po", "generator/cli.py"):
        assert name in names, name
