import json

MAPPING = {"FirstName": "first_name", "LastName": "last_name", "E-Mail": "email", "Zip": "postal_code"}

def snake(key):
    out = []
    for i, ch in enumerate(key):
        if ch.isupper() and i > 0 and not key[i - 1].isupper():
            out.append("_")
        out.append(ch.lower() if ch.isalnum() else "_")
    return "".join(out).strip("_")

def transform(event):
    payload = json.loads(event["payload"]) if isinstance(event.get("payload"), str) else event.get("payload", {})
    renamed = {MAPPING.get(k, snake(k)): v for k, v in payload.items()}
    clean = {}
    for k, v in renamed.items():
        if v is None or v == "":
            continue
        clean[k] = v.strip() if isinstance(v, str) else v
    clean["field_count"] = len(clean)
    clean["keys"] = list(clean.keys())
    return clean
