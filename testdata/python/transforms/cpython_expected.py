"""Run every transform here on its events with CPython and write
NAME.expected.jsonl: one line per event, {"index", "outputs", "error",
"logs"}, error being the exception type name. pyrt's TestTransforms
compares sluice's results with these. Run: python3 cpython_expected.py"""
import contextlib, glob, io, json, os

META = {"source": "test", "received_at": "2024-05-01T12:00:00.000000Z", "headers": {"X-Github-Event": "push"}}

for path in sorted(glob.glob(os.path.join(os.path.dirname(__file__) or ".", "*.py"))):
    if path.endswith("cpython_expected.py"):
        continue
    name = path[:-3]
    code = open(path).read()
    g = {"__name__": "transform"}
    exec(compile(code, path, "exec"), g)
    fn = g["transform"]
    nargs = fn.__code__.co_argcount
    out = []
    for i, line in enumerate(l for l in open(name + ".jsonl") if l.strip()):
        event = json.loads(line)
        meta = dict(META, id="test-%d" % i)
        buf = io.StringIO()
        res = {"index": i, "outputs": [], "error": None, "logs": []}
        try:
            with contextlib.redirect_stdout(buf):
                r = fn(event, meta) if nargs >= 2 else fn(event)
            if r is None:
                pass
            elif isinstance(r, dict):
                res["outputs"] = [r]
            elif isinstance(r, list) and all(isinstance(x, dict) for x in r):
                res["outputs"] = r
            else:
                res["error"] = "TypeError"
        except Exception as e:
            res["error"] = type(e).__name__
        res["logs"] = buf.getvalue().splitlines()
        out.append(json.dumps(res, ensure_ascii=False))
    with open(name + ".expected.jsonl", "w") as f:
        f.write("\n".join(out) + "\n")
