from collections import Counter

def transform(event, meta):
    items = event.get("items", [])
    by_sku = {}
    for it in items:
        sku = it["sku"]
        if sku not in by_sku:
            by_sku[sku] = {"sku": sku, "qty": 0, "revenue": 0.0}
        by_sku[sku]["qty"] += it.get("qty", 1)
        by_sku[sku]["revenue"] += it.get("qty", 1) * it["price"]
    ranked = sorted(by_sku.values(), key=lambda r: (-r["revenue"], r["sku"]))
    cats = Counter(it.get("category", "none") for it in items)
    out = []
    for rank, row in enumerate(ranked[:3], start=1):
        row["rank"] = rank
        row["revenue"] = round(row["revenue"], 2)
        row["share"] = round(row["revenue"] / sum(r["revenue"] for r in ranked) * 100, 1) if ranked else 0
        row["order"] = meta["id"]
        out.append(row)
    if not out:
        return None
    out.append({"summary": True, "skus": len(by_sku), "top_category": cats.most_common(1)[0][0], "categories": dict(cats)})
    return out
