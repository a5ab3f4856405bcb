def transform(event):
    out = {}
    for k, v in event.items():
        try:
            out[k] = int(v)
        except (TypeError, ValueError) as e:
            out[k] = "bad: " + type(e).__name__
        finally:
            out["last"] = k
    try:
        {}["x"]
    except KeyError as e:
        out["keyerror"] = repr(e)
    return out
