def transform(event):
    order = event["order_id"]
    lines = []
    for n, item in enumerate(event["lines"], 1):
        qty = item.get("qty", 1)
        net = item["unit_price"] * qty
        vat = round(net * event.get("vat_rate", 0.19), 2)
        lines.append({
            "order_id": order,
            "line": n,
            "sku": item["sku"].upper(),
            "qty": qty,
            "net": round(net, 2),
            "vat": vat,
            "gross": round(net + vat, 2),
            "title": "%s x%d @ %.2f" % (item["sku"], qty, item["unit_price"]),
        })
    if not lines:
        return None
    return lines
