from collections import defaultdict, Counter
def transform(event):
    by = defaultdict(list)
    for r in event["rows"]:
        by[r["region"]].append(r["sales"])
    stats = {k: {"n": len(v), "sum": sum(v), "avg": round(sum(v) / len(v), 2), "max": max(v)} for k, v in sorted(by.items())}
    top = Counter({k: s["sum"] for k, s in stats.items()}).most_common(1)[0][0]
    return {"stats": stats, "top": top, "regions": list(stats)}
