def transform(event):
    table = {}
    for rec in event["records"]:
        row = table.setdefault(rec["region"], {})
        row[rec["month"]] = row.get(rec["month"], 0) + rec["amount"]
    months = sorted({m for r in table.values() for m in r})
    out = []
    for region, row in sorted(table.items(), key=lambda kv: -sum(kv[1].values())):
        line = {"region": region}
        for m in months:
            line[m] = row.get(m, 0)
        line["total"] = sum(row.values())
        out.append(line)
    for i, (a, b, c) in enumerate(zip(months, months[1:], months[2:])):
        out.append({"window": i, "months": [a, b, c]})
    return out or None
