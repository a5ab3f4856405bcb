import csv, io, json
def transform(event):
    text = event["csv"]
    rows = list(csv.reader(io.StringIO(text)))
    dicts = list(csv.DictReader(io.StringIO(text)))
    lines = list(csv.reader(text.splitlines()))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["a", 'b "q"', "c,d", None, 1.5, 3])
    w.writerows([["x\ny", ""]])
    dw_out = io.StringIO()
    dw = csv.DictWriter(dw_out, fieldnames=["name", "age"])
    dw.writeheader()
    dw.writerow({"name": "Ann", "age": 30})
    semi = list(csv.reader(["a; b;c"], delimiter=";", skipinitialspace=True))
    return {"rows": rows, "dicts": dicts, "keys": [list(d.keys()) for d in dicts], "lines": lines,
            "written": out.getvalue(), "dw": dw_out.getvalue(), "semi": semi}
