def transform(event):
    rows = sorted(event["rows"], key=lambda r: (-r["score"], r["name"].lower()))
    width = max([len(r["name"]) for r in rows] + [4])
    lines = ["%-*s | %5s | %s" % (width, "name", "score", "bar")]
    lines.append("-" * len(lines[0]))
    for r in rows:
        bar = "#" * int(round(r["score"] / 10))
        lines.append("%-*s | %5.1f | %s" % (width, r["name"], r["score"], bar))
    best = max(rows, key=lambda r: r["score"]) if rows else None
    names = ", ".join(map(str, (r["name"] for r in rows[:3])))
    first, _, rest = event.get("title", "untitled report").partition(" ")
    return {
        "text": "\n".join(lines),
        "best": best["name"] if best else None,
        "top3": names,
        "title": first.upper() + (" " + rest if rest else ""),
        "reversed": event.get("title", "")[::-1],
        "words": event.get("title", "a b").split(maxsplit=1),
        "passed": list(filter(lambda r: r["score"] >= 50, rows)) == [r for r in rows if r["score"] >= 50],
    }
