def transform(event):
    if event.get("status") == "test":
        return None
    total = sum(item["price"] * item["qty"] for item in event["items"])
    return {
        "id": event["id"],
        "email": event["email"].strip().lower(),
        "name": " ".join(p.capitalize() for p in event["name"].split()),
        "currency": event.get("currency", "eur").upper(),
        "total_cents": int(round(total * 100)),
        "total": round(total, 2),
        "items": len(event["items"]),
        "tags": sorted({t.strip().lower() for t in event.get("tags", []) if t.strip()}),
        "vip": total > 100,
        "label": f"#{event['id']:06d} {event['name'].split()[0].title()} ({total:,.2f})",
    }
