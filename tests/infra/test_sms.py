"""infra/sms/: numbers in one stored form, the development backends, every message within one SMS, and
the two providers' official SDKs talking to a local stub server (never the internet)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from infra import sms
from infra.sms.backends import ConsoleBackend

LINK = "https://help.example.com/t/" + "A" * 20  # a short tracking link on a realistic site address
KINDS = ("ticket_receipt", "agent_reply", "waiting_on_merchant", "resolved", "tracking_link")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("+852 9123 4567", "+85291234567"),
        ("00852 9123 4567", "+85291234567"),
        ("＋44 (7911) 123456", "+447911123456"),
    ],
)
def test_a_mobile_number_is_stored_in_one_form(typed, stored):
    assert sms.normalize(typed) == stored


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("12800138000", "mainland"),
        ("1380013800", "mainland"),
        ("021 6432 1234", "mainland"),
        ("+852 12", "international"),
    ],
)
def test_a_number_that_is_no_mobile_number_says_which_rule_it_broke(typed, kind):
    with pytest.raises(sms.InvalidNumber) as refused:
        sms.normalize(typed)
    assert refused.value.kind == kind


def test_tencent_gets_every_number_with_its_country_code():
    assert (sms.e164("13800138000"), sms.e164("+85291234567")) == ("+8613800138000", "+85291234567")


@pytest.mark.parametrize("kind", KINDS)
def test_each_chinese_message_with_its_link_fits_in_one_sms(kind, settings):
    settings.SMS_SIGN_NAME = "POS服务"
    with translation.override("zh-hans"):
        text = sms.render(kind, {"link": LINK})
    assert LINK in text and text.startswith("【POS服务】")
    assert len(text) <= sms.SMS_MAX_CHARS, text


def test_the_code_message_fits_in_one_sms(settings):
    settings.SMS_SIGN_NAME = "POS服务"
    with translation.override("zh-hans"):
        text = sms.render("find_code", {"code": "123456"})
    assert "123456" in text and "10" in text
    assert len(text) <= sms.SMS_MAX_CHARS, text


@pytest.mark.parametrize("kind", KINDS)
def test_an_english_message_fits_in_one_latin_sms(kind):
    with translation.override("en"):
        text = sms.render(kind, {"link": LINK})
    assert LINK in text and len(text) <= 160


def test_the_locmem_backend_keeps_what_was_sent():
    sms.send_templated(kind="agent_reply", params={"link": LINK}, to="+86 138 0013 8000")
    [message] = sms.outbox
    assert (message.to, message.kind, message.params) == ("13800138000", "agent_reply", {"link": LINK})


def test_the_console_backend_prints_the_message(settings, capsys, monkeypatch):
    settings.SMS_BACKEND = "infra.sms.backends.ConsoleBackend"
    monkeypatch.setattr(ConsoleBackend, "stream", __import__("sys").stdout)
    with translation.override("zh-hans"):
        sms.send_templated(kind="agent_reply", params={"link": LINK}, to="13800138000")
    printed = capsys.readouterr().out
    assert "13800138000" in printed and LINK in printed and "客服已回复" in printed


def test_the_file_backend_writes_a_file_per_day(settings, tmp_path):
    settings.SMS_BACKEND = "infra.sms.backends.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    sms.send_templated(kind="resolved", params={"link": LINK}, to="13800138000")
    [written] = (tmp_path / "sms").iterdir()
    assert LINK in written.read_text(encoding="utf-8")


def test_with_sms_off_nothing_is_sent_and_the_caller_is_told(settings):
    settings.SMS_BACKEND = ""
    assert not sms.enabled()
    with pytest.raises(sms.SmsError):
        sms.send_templated(kind="resolved", params={"link": LINK}, to="13800138000")


# --- The providers, on their SDKs, against a local stub server ---------------------------------------


class Provider(BaseHTTPRequestHandler):
    """Answers as Alibaba Cloud (RPC, query string) or Tencent Cloud (JSON, X-TC-Action) would."""

    answer: dict = {}
    seen: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Provider.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        data = json.dumps(Provider.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Provider.seen = []
    settings.SMS_ENDPOINT = f"127.0.0.1:{server.server_address[1]}"
    settings.SMS_ENDPOINT_PROTOCOL = "http"
    settings.SMS_TIMEOUT_SECONDS = 2
    settings.SMS_SIGN_NAME = "POS服务"
    settings.SMS_ACCESS_KEY_ID = "key-id"
    settings.SMS_ACCESS_KEY_SECRET = "key-secret"
    settings.SMS_APP_ID = "1400000000"
    settings.SMS_TEMPLATES = {"agent_reply": "SMS_100", "find_code": "200"}
    yield Provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def alibaba(provider, settings):
    settings.SMS_BACKEND = "infra.sms.providers.AlibabaBackend"
    provider.answer = {"Code": "OK", "Message": "OK", "BizId": "b1", "RequestId": "r1"}
    return provider


@pytest.fixture
def tencent(provider, settings):
    settings.SMS_BACKEND = "infra.sms.providers.TencentBackend"
    status = {"SerialNo": "s1", "PhoneNumber": "+8613800138000", "Fee": 1, "Code": "Ok", "Message": "send success"}
    provider.answer = {"Response": {"SendStatusSet": [status], "RequestId": "r1"}}
    return provider


def test_alibaba_gets_the_template_code_signature_number_and_parameters(alibaba):
    sms.send_templated(kind="agent_reply", params={"link": LINK}, to="138 0013 8000")
    [request] = alibaba.seen
    query = parse_qs(urlsplit(request["path"]).query)
    assert query["PhoneNumbers"] == ["13800138000"]
    assert (query["TemplateCode"], query["SignName"]) == (["SMS_100"], ["POS服务"])
    assert json.loads(query["TemplateParam"][0]) == {"link": LINK}
    assert "key-id" in request["headers"]["Authorization"]  # signed with the access key


def test_alibaba_refusing_the_message_raises(alibaba):
    alibaba.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控", "RequestId": "r1"}
    with pytest.raises(sms.SmsError, match="BUSINESS_LIMIT_CONTROL"):
        sms.send_templated(kind="agent_reply", params={"link": LINK}, to="13800138000")


def test_tencent_gets_the_template_id_app_signature_number_and_parameters(tencent):
    sms.send_templated(kind="find_code", params={"code": "123456"}, to="13800138000")
    [request] = tencent.seen
    sent = json.loads(request["body"])
    assert sent["PhoneNumberSet"] == ["+8613800138000"]
    assert (sent["TemplateId"], sent["SmsSdkAppId"], sent["SignName"]) == ("200", "1400000000", "POS服务")
    assert sent["TemplateParamSet"] == ["123456"]
    assert request["headers"]["X-TC-Action"] == "SendSms"


def test_tencent_refusing_the_number_raises(tencent):
    status = {"SerialNo": "", "PhoneNumber": "+8613800138000", "Fee": 0, "Code": "LimitExceeded.PhoneNumberDailyLimit"}
    tencent.answer = {"Response": {"SendStatusSet": [{**status, "Message": "daily limit"}], "RequestId": "r1"}}
    with pytest.raises(sms.SmsError, match="PhoneNumberDailyLimit"):
        sms.send_templated(kind="find_code", params={"code": "123456"}, to="13800138000")


@pytest.mark.parametrize("backend", ["alibaba", "tencent"])
def test_a_provider_that_cannot_be_reached_raises_sms_error(backend, request, settings):
    request.getfixturevalue(backend)
    with socket_closed() as port:
        settings.SMS_ENDPOINT = f"127.0.0.1:{port}"
        with pytest.raises(sms.SmsError):
            sms.send_templated(kind="agent_reply", params={"link": LINK}, to="13800138000")


def test_a_message_kind_without_a_template_code_is_refused_before_any_request(alibaba):
    with pytest.raises(sms.SmsError, match="resolved"):
        sms.send_templated(kind="resolved", params={"link": LINK}, to="13800138000")
    assert alibaba.seen == []


class socket_closed:
    """A port on this machine where nothing listens (bound, then closed)."""

    def __enter__(self) -> int:
        import socket

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        return port

    def __exit__(self, *exc) -> None:
        pass
