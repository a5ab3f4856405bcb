import datetime
def transform(event):
    items = event.get("items") or []
    total = sum(i["qty"] * i["price"] for i in items)
    out = []
    for n, it in enumerate(items, start=1):
        out.append({
            "order_id": event["id"],
            "line": n,
            "sku": it["sku"].upper(),
            "amount": round(it["qty"] * it["price"], 2),
            "share": f"{(it['qty'] * it['price']) / total:.1%}" if total else "n/a",
        })
    return out
