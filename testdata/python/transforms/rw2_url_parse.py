from urllib.parse import urlparse, parse_qs, urlencode
def transform(event):
    u = urlparse(event["url"])
    q = parse_qs(u.query)
    return {"host": u.hostname, "path": u.path, "scheme": u.scheme, "params": {k: v[0] for k, v in q.items()},
            "utm": {k: v[0] for k, v in q.items() if k.startswith("utm_")}, "rebuilt": urlencode(sorted((k, v[0]) for k, v in q.items()))}
