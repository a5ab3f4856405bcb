def transform(event, meta):
    if event.get("status") in ("test", "deleted"):
        return None
    level = "high" if event.get("amount", 0) >= 1000 else "low"
    event["level"] = level
    event["source"] = meta["source"]
    return event
