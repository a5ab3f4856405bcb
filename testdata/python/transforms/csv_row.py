HEADER = ["date", "store", "sku", "qty", "price", "discount"]

def parse_number(s):
    s = s.strip().replace(" ", "")
    if not s:
        return None
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", ".")
    return float(s)

def transform(event):
    cells = [c.strip() for c in event["line"].split(";")]
    if len(cells) != len(HEADER):
        raise ValueError("expected %d cells, got %d" % (len(HEADER), len(cells)))
    row = dict(zip(HEADER, cells))
    qty = int(row["qty"])
    price = parse_number(row["price"])
    disc = parse_number(row["discount"]) or 0.0
    day, month, year = row["date"].split(".")
    total = qty * price * (1 - disc / 100)
    return {
        "date": "-".join([year, month.zfill(2), day.zfill(2)]),
        "store": row["store"].upper(),
        "sku": row["sku"],
        "qty": qty,
        "unit": price,
        "discount_pct": disc,
        "total": round(total, 2),
        "flags": [name for name, on in [("bulk", qty >= 10), ("free", total == 0), ("discounted", disc > 0)] if on],
        "check": divmod(qty, 3),
    }
