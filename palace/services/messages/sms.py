"""SMS through Tencent Cloud SMS's HTTP API (SendSms, version 2021-01-11), signed TC3-HMAC-SHA256.

No SDK: one signed JSON POST. Each kind of message has its own approved template
(PALACE_SMS_TEMPLATES, ``kind=template id``); the template's {1}, {2}... take the
values ``PARAMS`` lists for the kind, in that order (README lists them).
"""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from palace.outbound_settings import Sms, get_outbound
from palace.services.messages.channels import ChannelError, Message, post

SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host"
# Values each template takes as {1}, {2}...; a kind not listed takes (place, when).
PARAMS = {
    "waitlist_offer": ("place", "when", "until"),
    "class_instructor_changed": ("place", "when", "instructor"),
    "booking_suspended": ("suspended_until",),
    "suspension_lifted": (),
}
DEFAULT_PARAMS = ("place", "when")
# Tencent's error codes worth another try later; any other error is about the request.
RETRYABLE = ("InternalError", "RequestLimitExceeded", "LimitExceeded", "FailedOperation.Frequency")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(*, sms: Sms, host: str, body: bytes, timestamp: int) -> str:
    """The Authorization header of the documented TC3-HMAC-SHA256 signature (v3)."""
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\n",
            SIGNED_HEADERS,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{day}/{SERVICE}/tc3_request"
    to_sign = "\n".join(
        [ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{sms.secret_key}".encode(), day), SERVICE), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{ALGORITHM} Credential={sms.secret_id}/{scope}, "
        f"SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
    )


def request_body(sms: Sms, message: Message) -> bytes:
    template = sms.templates.get(message.kind)
    if template is None:
        raise ChannelError(f"no SMS template for {message.kind}", permanent=True)
    names = PARAMS.get(message.kind, DEFAULT_PARAMS)
    payload = {
        "PhoneNumberSet": [f"+86{message.member.phone}"],
        "SmsSdkAppId": sms.app_id,
        "SignName": sms.sign_name,
        "TemplateId": template,
        "TemplateParamSet": [message.values.get(name, "") for name in names],
        # Comes back in the provider's receipts: which message this was.
        "SessionContext": str(message.notification_id),
    }
    return json.dumps(payload, ensure_ascii=False).encode()


def _check(answer: object) -> None:
    """Tencent answers 200 with an Error, or with a status per phone number."""
    response = answer.get("Response", {}) if isinstance(answer, dict) else {}
    error = response.get("Error")
    statuses = response.get("SendStatusSet") or []
    if error is None and statuses and statuses[0].get("Code") != "Ok":
        error = statuses[0]
    if error is None and not statuses:
        error = {"Code": "InternalError", "Message": "no send status in the answer"}
    if error is not None:
        code = str(error.get("Code", ""))
        reason = f"{code}: {error.get('Message', '')}"
        raise ChannelError(reason, permanent=not code.startswith(RETRYABLE))


class TencentSmsChannel:
    name = "sms"

    async def send(self, message: Message) -> None:
        sms = get_outbound().sms
        if sms is None:
            raise ChannelError("no SMS provider set up", permanent=True)
        body = request_body(sms, message)
        timestamp = int(time.time())  # the real clock: the provider checks it
        host = urlsplit(sms.endpoint).netloc
        headers = {
            "Authorization": authorization(sms=sms, host=host, body=body, timestamp=timestamp),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": sms.region,
        }
        response = await post(sms.endpoint, body, headers)
        try:
            answer = response.json()
        except ValueError:
            raise ChannelError(f"not JSON: {response.text[:200]}") from None
        _check(answer)
