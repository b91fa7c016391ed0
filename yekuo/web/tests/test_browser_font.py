"""Chinese first on any device: a browser with no Chinese font of its own draws the pages with the Noto Sans SC
that yekuo serves (yekuo/web/static/web/yekuo.css), instead of empty boxes."""

import shutil
import subprocess

import pytest

pytestmark = pytest.mark.slow  # a browser against a live server


def system_has_a_chinese_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


def test_a_browser_without_a_chinese_font_gets_yekuos(page, live_server):
    page.goto(f"{live_server.url}/login/")
    loaded = page.evaluate(
        """() => document.fonts.ready.then(() => [...document.fonts]
            .filter(f => f.family.includes('Yekuo Noto Sans SC') && f.status === 'loaded').map(f => f.weight))"""
    )
    if system_has_a_chinese_font():
        assert set(loaded) <= {"400", "700"}  # fetched only for what the system's fonts lack: maybe nothing
    else:
        assert "400" in loaded  # the sign-in page's Chinese is drawn with the served font
