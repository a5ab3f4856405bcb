from datetime import datetime, timezone

def cents(amount, currency):
    zero_decimal = {"jpy", "krw"}
    return amount if currency in zero_decimal else amount / 100

def transform(event):
    if event.get("type") not in ("charge.succeeded", "charge.refunded"):
        return None
    obj = event["data"]["object"]
    cur = obj["currency"].lower()
    created = datetime.fromtimestamp(event["created"], tz=timezone.utc)
    meta = obj.get("metadata") or {}
    out = {
        "event_id": event["id"],
        "kind": event["type"].split(".")[1],
        "amount": cents(obj["amount"], cur),
        "currency": cur.upper(),
        "customer": obj.get("customer"),
        "created": created.isoformat().replace("+00:00", "Z"),
        "day": created.date().isoformat(),
        "order": int(meta["order_id"]) if meta.get("order_id", "").isdigit() else None,
    }
    if obj.get("refunded"):
        out["refund"] = {"amount": cents(obj.get("amount_refunded", 0), cur), "full": obj.get("amount_refunded") == obj["amount"]}
    return out
