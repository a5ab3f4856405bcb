SEEN = set()
COUNT = {"n": 0}
def transform(event):
    COUNT["n"] += 1
    key = event["id"]
    dup = key in SEEN
    SEEN.add(key)
    if dup:
        return None
    return {"id": key, "seq": COUNT["n"]}
