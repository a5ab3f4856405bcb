import re

LINE = re.compile(r'(?P<ip>\d+\.\d+\.\d+\.\d+) - - \[(?P<ts>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) (?P<size>\d+|-)')

def transform(event):
    m = LINE.match(event["line"])
    if not m:
        print("no match:", event["line"][:30])
        return None
    d = m.groupdict()
    d["status"] = int(d["status"])
    d["size"] = 0 if d["size"] == "-" else int(d["size"])
    d["path"] = re.sub(r"/\d+", "/:id", d["path"].split("?")[0])
    d["error"] = d["status"] >= 500
    d["query"] = dict(p.split("=", 1) for p in event["line"].split(" ")[6].partition("?")[2].split("&") if "=" in p)
    return d
