SEEN = 0

class Rejected(Exception):
    pass

def check(event):
    if "id" not in event:
        raise Rejected("no id")
    if not isinstance(event["id"], str):
        raise Rejected("id must be a string, got %s" % type(event["id"]).__name__)

def transform(event):
    global SEEN
    try:
        check(event)
    except Rejected as e:
        return {"rejected": str(e)}
    finally:
        SEEN += 1
    parts = [p for p in event["id"].split("-") if p]
    return {
        "id": event["id"],
        "parts": parts,
        "prefix": parts[0] if parts else "",
        "numeric": [int(p) for p in parts if p.isdigit()],
        "matrix": [[i * j for j in range(1, 4)] for i in range(1, 3)],
        "even_odd": {("even" if n % 2 == 0 else "odd"): n for n in range(5)},
        "nested": [x for row in [[1, 2], [3], []] for x in row if x != 2],
    }
