#!/usr/bin/env python
"""What each heavy part of the portal adds to a worker's resident memory (VmRSS), one process per part.

    .venv/bin/python bench/import_cost.py

Every step runs in a fresh process with production settings (bench/overlay.py) on the SQLite database
bench/pages.py seeds (var/bench/pages.sqlite3; run it first, or the database-backed steps fail): the
process sets up Django and imports the URLconf (every view), as a gunicorn worker does before its first
request, measures VmRSS, then does one thing and measures again. "all, in turn" does every step in one
process, as a worker that has served every page does.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common

# name -> code run after django.setup() and the URLconf import; each loads what a request path would.
STEPS = {
    "Pillow (open and re-encode a JPEG)": (
        "import io\nfrom PIL import Image\nb = io.BytesIO(); Image.new('RGB', (64, 64)).save(b, 'JPEG')\n"
        "from kb.images import reencode_image\nImage.open(io.BytesIO(b.getvalue())).load()"
    ),
    "python-magic (libmagic database)": "import magic\nmagic.from_buffer(b'2026-05-01 RESP=A0', mime=True)",
    "OpenCC t2s": "from kb.search.pipeline import _converter\n_converter().convert('重新簽到')",
    "rjieba with the portal's words": "from kb.search.pipeline import _segmenter\n_segmenter().cut('请重新签到', True)",
    "pypinyin": "from kb.search.pipeline import _pinyin_of\n_pinyin_of('重新签到')",
    "one search (whole pipeline + SQL)": (
        "from django.test import Client\nClient().get('/api/search', {'q': '请重新签到'})"
    ),
    "home, article, code, ticket form pages": (
        "from django.test import Client\nc = Client()\n"
        "for p in ('/', '/articles/re-sign-in-prompt/', '/codes/A0/', '/tickets/new/'):\n    c.get(p)"
    ),
}
_PRELUDE = """
import json, os, sys
sys.path.insert(0, os.getcwd())
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
start = rss()
import django
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, 'testserver']
setup = rss()
import portal.urls, bench.overlay_urls
from django.urls import get_resolver
get_resolver().url_patterns
ready = rss()
"""


def run(code: str) -> dict:
    script = _PRELUDE + code + "\nprint(json.dumps({'start': start, 'setup': setup, 'ready': ready, 'end': rss()}))\n"
    env = common.production_env(database_url=f"sqlite:///{common.VAR / 'pages.sqlite3'}")
    output = subprocess.run([sys.executable, "-c", script], cwd=common.ROOT, env=env, capture_output=True, text=True)
    if output.returncode:
        raise SystemExit(output.stderr[-3000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    if not (common.VAR / "pages.sqlite3").exists():
        raise SystemExit("run `.venv/bin/python bench/pages.py --engines sqlite --quick` first: it seeds the data")
    base = run("")
    print(f"python interpreter:                         {base['start']:6.1f} MB")
    print(f"+ django.setup() (settings, apps, models):  {base['setup'] - base['start']:+6.1f} MB")
    print(f"+ the URLconf (every view module):          {base['ready'] - base['setup']:+6.1f} MB")
    print(f"= a worker before its first request:        {base['ready']:6.1f} MB\n")
    print(f"{'then, alone':42} {'adds':>8}")
    for name, code in STEPS.items():
        figures = run(code)
        print(f"{name:42} {figures['end'] - figures['ready']:+7.1f} MB")
    together = run("\n".join(STEPS.values()))
    print(f"{'all, in turn':42} {together['end'] - together['ready']:+7.1f} MB  (total {together['end']:.1f} MB)")
    print(f"\n{os.cpu_count()} CPUs; figures are VmRSS, which counts shared library pages in every process.")


if __name__ == "__main__":
    main()
