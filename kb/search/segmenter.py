"""The Chinese word segmenter: rjieba, with jieba's dictionary and the portal's domain words.

`import rjieba` builds a default segmenter from the dictionary compiled into the extension, and keeps
it for the life of the process: 32.8 MB of a web worker's resident memory (bench/import_cost.py), of
which only 24 MB is the dictionary itself; the rest is what unpacking it left behind. The portal needs
one segmenter with its own words added, so it loads rjieba's compiled module without the package's
`__init__`, starts from `Jieba.empty()` and adds jieba's dictionary (the `jieba` package's dict.txt,
the very list rjieba compiles in; tests/kb/test_search_segmenter.py checks that both cut alike).
"""

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

DICTIONARY = Path(__file__).with_name("dictionary.txt")
# Terminal makers and payment brands: segmented whole, and never weighed when ranking (pipeline.is_brand).
BRANDS = Path(__file__).with_name("brands.txt")
_MODULE = "rjieba.rjieba"


def _package_folder(name: str) -> Path:
    # find_spec on a top-level name locates the package without running its __init__.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the {name} package is not installed: pip install -r requirements.txt")
    return Path(next(iter(spec.submodule_search_locations)))


def rjieba_module():
    """rjieba's compiled module. A PyO3 module can be initialized once per process, so an import made
    elsewhere (`import rjieba` runs the same initialization) is reused, and ours is registered for it."""
    if (module := sys.modules.get(_MODULE)) is not None:
        return module
    folder = _package_folder("rjieba")
    path = next(
        (
            folder / f"rjieba{suffix}"
            for suffix in importlib.machinery.EXTENSION_SUFFIXES
            if (folder / f"rjieba{suffix}").exists()
        ),
        None,
    )
    if path is None:
        raise ImportError(f"rjieba's compiled module is missing from {folder}")
    loader = importlib.machinery.ExtensionFileLoader(_MODULE, str(path))
    spec = importlib.util.spec_from_file_location(_MODULE, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[_MODULE] = module
    return module


def jieba_dictionary() -> Path:
    return _package_folder("jieba") / "dict.txt"


def _add_lines(segmenter, lines, *, lower: bool) -> None:
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _space, rest = line.partition(" ")
        freq = rest.split(" ", 1)[0]
        # Parts of speech are left out: the portal never tags, and cutting does not read them.
        segmenter.add_word(word.lower() if lower else word, int(freq) if freq.isdigit() else None, None)


def build():
    """A segmenter equal to rjieba's default one, plus the domain dictionary and the brands."""
    segmenter = rjieba_module().Jieba.empty()
    # Read a line at a time: the 349,046 lines as one list of strings would take 30 MB more, and the
    # freed small objects stay in the process's arenas, so its resident memory would not come back.
    with jieba_dictionary().open(encoding="utf-8") as lines:
        _add_lines(segmenter, lines, lower=False)
    # After jieba's words, as before: a domain word without a frequency gets one suggested from them.
    for path in (DICTIONARY, BRANDS):
        with path.open(encoding="utf-8") as lines:
            _add_lines(segmenter, lines, lower=True)
    return segmenter
