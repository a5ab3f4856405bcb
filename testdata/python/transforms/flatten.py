def flatten(obj, prefix=""):
    out = {}
    if isinstance(obj, dict):
        for key in sorted(obj):
            out.update(flatten(obj[key], prefix + key + "."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(flatten(v, prefix + str(i) + "."))
    else:
        out[prefix[:-1]] = obj
    return out

def transform(event, meta):
    flat = flatten(event)
    flat["_id"] = meta["id"]
    flat["_keys"] = len(flat)
    return flat
