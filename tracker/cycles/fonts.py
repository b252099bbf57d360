"""The Chinese font the charts draw with, found through fontconfig and handed to matplotlib by file.

matplotlib keeps its own list of fonts in a cache file, built the first time it
is imported, and never looks at the system again: on a machine where that cache
predates ``fonts-noto-cjk``, every chart, the charts in the emails and the
quarterly PDF come out as empty boxes, silently. So the font file is found here
(``[charts] font_file``, else fontconfig's choice for simplified Chinese) and
registered with matplotlib by path whenever the charts are loaded, whatever its
cache says. Start-up (the web app and the scheduler) calls ``configure``, which
stops with a ConfigError when there is no Chinese font at all.

matplotlib is imported only by ``register``, which the charts module calls, so the
web app's start-up stays light.
"""

import subprocess
from pathlib import Path

from tracker.core.config import ConfigError

# fontconfig's best font for this pattern: Noto Sans CJK SC where fonts-noto-cjk is installed.
PATTERN = "Noto Sans CJK SC:lang=zh-cn"


LANGUAGE = "zh-cn"


MISSING = (
    "没有找到中文字体，图表中的汉字会显示为方框。"
    "请安装 fonts-noto-cjk（sudo apt-get install fonts-noto-cjk），"
    "或在 config.toml 的 [charts] font_file 中写明字体文件路径（.ttf/.otf/.ttc）"
)


class CJKFont:
    """A font file and the family in it that draws simplified Chinese."""

    def __init__(self, file, family):
        self.file, self.family = file, family

    def __repr__(self):
        return f"CJKFont({self.file!r}, {self.family!r})"


# Set by configure() at start-up; the charts module reads it when it is first imported.
# A process has one matplotlib font list, so the font it draws with is per process too.
_configured = []


def configure(config):
    """Find the Chinese font start-up will draw charts with; ConfigError (in Chinese) if there is none."""
    font = find_cjk_font(config["charts"]["font_file"])
    if font is None:
        raise ConfigError(MISSING)
    _configured[:] = [font]
    return font


def chosen_font():
    """The font start-up configured, else fontconfig's; ConfigError if there is none."""
    font = _configured[0] if _configured else find_cjk_font()
    if font is None:
        raise ConfigError(MISSING)
    return font


def find_cjk_font(configured=""):
    """The configured font file, or the one fontconfig picks for simplified Chinese; None without one.

    A configured file that does not exist is a ConfigError: a typo must not fall back silently.
    """
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ConfigError(f"[charts] font_file: 字体文件 {configured} 不存在")
        return CJKFont(str(path), _family_in(path))
    lines = _fontconfig("fc-match", "-f", "%{file}\n%{family[0]}\n%{lang}\n", PATTERN)
    if len(lines) < 3 or LANGUAGE not in lines[2].split("|"):
        # fc-match always answers; without a Chinese font its answer lacks zh-cn (DejaVu, say).
        return None
    return CJKFont(lines[0], lines[1])


def register(font):
    """Add ``font`` to matplotlib's font list by path and make it the family every chart uses.

    DejaVu Sans, shipped with matplotlib, stands in for a glyph the Chinese font lacks.
    """
    import matplotlib
    from matplotlib import font_manager

    if not any(entry.fname == font.file for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(font.file)
    if font.family is None:
        font.family = next(e.name for e in font_manager.fontManager.ttflist if e.fname == font.file)
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [font.family, "DejaVu Sans"]


def _family_in(path):
    """The family of the file's face that draws simplified Chinese (a .ttc holds several)."""
    faces = [line.split("\t") for line in _fontconfig("fc-query", "-f", "%{family[0]}\t%{lang}\n", str(path))]
    chinese = [family for family, *langs in faces if langs and LANGUAGE in langs[0].split("|")]
    simplified = [family for family in chinese if family.endswith((" SC", " CN", " GB"))]
    if simplified or chinese:
        return (simplified or chinese)[0]
    if not faces:
        return None  # no fontconfig to ask: register() takes the file's first face
    raise ConfigError(f"[charts] font_file: {path} 不含简体中文字形")


def _fontconfig(*command):
    """The output lines of a fontconfig command; none when fontconfig is not installed."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except FileNotFoundError:
        return []
    return result.stdout.splitlines() if result.returncode == 0 else []
