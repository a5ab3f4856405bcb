import json
def transform(event):
    payload = json.loads(event["payload"])
    payload["seen"] = True
    keys = list(payload.keys())
    return {"payload": payload, "keys": keys, "raw": json.dumps(payload, sort_keys=True), "compact": json.dumps(payload, separators=(",", ":"))}
