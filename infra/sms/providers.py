"""The two providers Chinese acquirers use, on their official SDKs. Each sends a registered template by its
code with the message's parameters, and raises SmsError when the provider does not accept it.

SMS_ENDPOINT overrides the provider's address (host[:port]; with SMS_ENDPOINT_PROTOCOL=http for a local
stub server, as the tests do): nothing else differs from production.
"""

import json

from django.conf import settings

from infra import sms


def _require(*names: str) -> None:
    missing = [name for name in names if not getattr(settings, name)]
    if missing:
        raise sms.SmsError(f"SMS provider not configured: set {', '.join(missing)}")


def _template(message: "sms.SmsMessage") -> str:
    if not message.template_code:
        raise sms.SmsError(f"No template code for {message.kind!r} in SMS_TEMPLATES")
    return message.template_code


class AlibabaBackend:
    """Alibaba Cloud SMS (Dysmsapi 2017-05-25): the template's ${name} placeholders get `params` by name."""

    def send(self, message: "sms.SmsMessage") -> None:
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import utils_models
        from darabonba.runtime import RuntimeOptions

        _require("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME")
        config = utils_models.Config(
            access_key_id=settings.SMS_ACCESS_KEY_ID,
            access_key_secret=settings.SMS_ACCESS_KEY_SECRET,
            endpoint=settings.SMS_ENDPOINT or "dysmsapi.aliyuncs.com",
            protocol=settings.SMS_ENDPOINT_PROTOCOL,
        )
        request = models.SendSmsRequest(
            # Mainland numbers as they are; others with their country code and no "+".
            phone_numbers=message.to.lstrip("+"),
            sign_name=settings.SMS_SIGN_NAME,
            template_code=_template(message),
            template_param=json.dumps(message.params, ensure_ascii=False),
        )
        # One try per call, bounded: the task worker retries with backoff.
        timeout_ms = settings.SMS_TIMEOUT_SECONDS * 1000
        runtime = RuntimeOptions(autoretry=False, connect_timeout=timeout_ms, read_timeout=timeout_ms)
        try:
            response = Client(config).send_sms_with_options(request, runtime)
        except Exception as error:  # the SDK's own errors, and the network's
            raise sms.SmsError(f"Alibaba Cloud: {type(error).__name__}: {error}") from error
        body = response.body
        if body is None or body.code != "OK":
            raise sms.SmsError(f"Alibaba Cloud refused: {getattr(body, 'code', '')} {getattr(body, 'message', '')}")


class TencentBackend:
    """Tencent Cloud SMS (2021-01-11): the template's {1}, {2} … placeholders get `params` in order."""

    def send(self, message: "sms.SmsMessage") -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client

        _require("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_APP_ID")
        http = HttpProfile(
            protocol=settings.SMS_ENDPOINT_PROTOCOL,
            endpoint=settings.SMS_ENDPOINT or "sms.tencentcloudapi.com",
            reqTimeout=settings.SMS_TIMEOUT_SECONDS,
        )
        client = sms_client.SmsClient(
            credential.Credential(settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET),
            settings.SMS_REGION or "ap-guangzhou",
            ClientProfile(httpProfile=http),
        )
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [sms.e164(message.to)]
        request.SmsSdkAppId = settings.SMS_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = _template(message)
        request.TemplateParamSet = list(message.params.values())
        try:
            response = client.SendSms(request)
        except Exception as error:  # TencentCloudSDKException, and the network's
            raise sms.SmsError(f"Tencent Cloud: {type(error).__name__}: {error}") from error
        statuses = response.SendStatusSet or []
        if not statuses or statuses[0].Code != "Ok":
            status = statuses[0] if statuses else None
            raise sms.SmsError(f"Tencent Cloud refused: {getattr(status, 'Code', '')} {getattr(status, 'Message', '')}")
