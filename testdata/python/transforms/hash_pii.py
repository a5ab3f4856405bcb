import hashlib
import hmac
import base64
import json

SECRET = b"not-a-real-secret"

def transform(event):
    email = event.pop("email", "").strip().lower()
    event["email_sha256"] = hashlib.sha256(email.encode()).hexdigest()
    event["email_domain"] = email.partition("@")[2] or None
    phone = event.pop("phone", None)
    if phone:
        digits = "".join(ch for ch in phone if ch.isdigit())
        event["phone_last4"] = digits[-4:]
    body = json.dumps(event, sort_keys=True, separators=(",", ":"))
    event["signature"] = hmac.new(SECRET, body.encode(), hashlib.sha256).hexdigest()
    event["token"] = base64.urlsafe_b64encode(hashlib.md5(body.encode()).digest()).decode().rstrip("=")
    return event
