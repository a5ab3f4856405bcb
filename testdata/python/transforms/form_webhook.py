import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, unquote_plus

SECRET = b"whsec_test"

def transform(event, meta):
    form = parse_qs(event["body"], keep_blank_values=True)
    flat = {k: v[0] if len(v) == 1 else v for k, v in form.items()}
    sig = hmac.new(SECRET, event["body"].encode(), hashlib.sha256).hexdigest()
    expected = meta["headers"].get("X-Signature", sig)
    payload = {}
    if "payload" in flat:
        payload = json.loads(base64.b64decode(flat.pop("payload")).decode("utf-8"))
    return {
        "fields": flat,
        "payload": payload,
        "signature_ok": hmac.compare_digest(sig, expected),
        "text": unquote_plus(event["body"].split("&")[0].partition("=")[2]),
        "slack": f"*{flat.get('user', 'someone')}* said: \"{flat.get('text', '')}\" ({len(payload)} extra)",
    }
