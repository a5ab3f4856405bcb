REQUIRED = ("id", "amount", "currency")

def check(event):
    missing = [k for k in REQUIRED if k not in event]
    if missing:
        raise ValueError("missing fields: " + ", ".join(missing))
    if not isinstance(event["amount"], (int, float)) or isinstance(event["amount"], bool):
        raise TypeError("amount must be a number, not %s" % type(event["amount"]).__name__)
    if event["currency"] not in {"EUR", "USD", "GBP"}:
        raise ValueError("unknown currency %r" % event["currency"])

def transform(event):
    check(event)
    try:
        rate = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17}[event["currency"]]
    except KeyError:
        rate = None
    event["amount_eur"] = round(event["amount"] * rate, 2)
    event["bucket"] = "small" if event["amount_eur"] < 10 else ("medium" if event["amount_eur"] < 1000 else "large")
    return event
