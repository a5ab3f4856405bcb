def transform(event):
    people = event["people"]
    by_age = sorted(people, key=lambda p: (p["age"], p["name"]))
    by_name_desc = sorted(people, key=lambda p: p["name"], reverse=True)
    oldest = max(people, key=lambda p: p["age"])
    return {"by_age": [p["name"] for p in by_age], "desc": [p["name"] for p in by_name_desc], "oldest": oldest["name"],
            "ages": sorted({p["age"] for p in people}), "grouped": {a: [p["name"] for p in people if p["age"] == a] for a in sorted({p["age"] for p in people})}}
