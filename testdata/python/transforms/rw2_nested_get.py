def dig(d, path, default=None):
    cur = d
    for part in path.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
    return cur
def transform(event):
    return {
        "city": dig(event, "customer.address.city", "unknown"),
        "first_item": dig(event, "items.0.name"),
        "missing": dig(event, "a.b.c"),
        "zip": str(dig(event, "customer.address.zip", "")).zfill(5),
    }
