def transform(event):
    v = event["value"]
    return {
        "fixed": "%.2f" % v, "comma": "{:,.2f}".format(v), "pct": f"{v / 100:.2%}",
        "sci": "{:.3e}".format(v), "int": int(v), "round0": round(v), "round1": round(v, 1),
        "neg": -v, "abs": abs(v), "floor": v // 1, "mod": v % 7, "str": str(v), "repr": repr(v),
    }
