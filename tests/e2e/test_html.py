"""The HTML pages of every spec in specs/ (en and zh), laid out by headless Chromium.

The published page holds no script; a test-only wrapper in the temporary
folder (the page's bytes plus a script) measures every <math> element and
reads the page's text, and Chromium's --dump-dom hands the report back.
In CI (GRADSHEET_REQUIRE_TEX or GRADSHEET_REQUIRE_BROWSER set) a missing
Chromium fails the test; elsewhere it skips.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gen.make.pipeline import build_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PROBE = """
<script>
(function () {
  var boxes = Array.prototype.map.call(document.querySelectorAll("math"), function (m) {
    var r = m.getBoundingClientRect();
    return {w: r.width, h: r.height, alt: m.getAttribute("alttext"),
            display: m.getAttribute("display")};
  });
  var clone = document.body.cloneNode(true);
  Array.prototype.forEach.call(clone.querySelectorAll("math"), function (m) { m.remove(); });
  var report = {boxes: boxes, text: clone.textContent, lang: document.documentElement.lang};
  var pre = document.createElement("pre");
  pre.id = "gs-report";
  pre.textContent = JSON.stringify(report);
  document.body.appendChild(pre);
})();
</script>
"""


def _required() -> bool:
    return any(
        os.environ.get(v, "") not in ("", "0")
        for v in ("GRADSHEET_REQUIRE_TEX", "GRADSHEET_REQUIRE_BROWSER")
    )


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Chromium; a missing one fails in CI, skips elsewhere."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if _required():
            pytest.fail("chromium missing (GRADSHEET_REQUIRE_TEX is set)")
        pytest.skip("chromium missing")
    return found


def run_chromium(chromium: str, profile: Path, *args: str) -> str:
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("html")
    built = {}
    for spec in SPECS:
        outcome = build_spec(spec, out, pdf=False, to=("html",))
        assert outcome.ok, [e.message for e in outcome.errors]
        assert outcome.written == [f"{outcome.name}.html"]
        built[outcome.name] = out / f"{outcome.name}.html"
    return built


def test_specs_in_both_languages():
    names = {p.name for p in SPECS}
    assert "least-squares.yaml" in names and "least-squares.zh.yaml" in names


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_page_is_standalone(spec, pages):
    page = pages[spec.stem].read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page and "url(" not in page
    lang = "zh-Hans" if spec.stem.endswith(".zh") else "en"
    assert f'<html lang="{lang}">' in page
    assert page.count("<h1>") == 1
    maths = re.findall(r"<math\b[^>]*>", page)
    assert maths and all('alttext="' in m for m in maths)
    assert all(not re.search(r'alttext=""', m) for m in maths)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_browser_lays_out_the_math(spec, pages, chromium, tmp_path):
    page = pages[spec.stem]
    source = page.read_text("utf-8")
    wrapper = tmp_path / "probe.html"
    wrapper.write_text(source.replace("</body>", PROBE + "</body>"), "utf-8")
    dom = run_chromium(
        chromium, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()
    )
    found = re.search(r'<pre id="gs-report">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    report = json.loads(html.unescape(found.group(1)))
    boxes = report["boxes"]
    assert len(boxes) == source.count("<math ")
    assert all(b["alt"] for b in boxes)
    flat = [b for b in boxes if not (b["w"] > 0 and b["h"] > 0)]
    assert not flat, flat[:5]
    text = report["text"]
    assert not re.search(r"\\[A-Za-z]", text), re.findall(r".{20}\\[A-Za-z].{20}", text)[:5]
    assert "$$" not in text and "$" not in text
    assert report["lang"] == ("zh-Hans" if spec.stem.endswith(".zh") else "en")
    png = tmp_path / "page.png"
    run_chromium(
        chromium,
        tmp_path / "profile",
        "--window-size=900,1400",
        f"--screenshot={png}",
        page.as_uri(),
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
