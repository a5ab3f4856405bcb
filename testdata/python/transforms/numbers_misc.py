def transform(event):
    xs = event["xs"]
    n = len(xs)
    ordered = sorted(xs)
    mid = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2 if n else None
    return {
        "g": ["{:g}".format(x) for x in xs],
        "e": ["%.2e" % x for x in xs],
        "pct": ["{:.0%}".format(x / 100) for x in xs],
        "rounded": [round(x) for x in xs],
        "floordiv": [int(x) // -3 for x in xs],
        "mod": [int(x) % -3 for x in xs],
        "pow": pow(2, 10, 1000),
        "hex": [hex(int(x)) for x in xs if x >= 0],
        "median": mid,
        "minmax": [min(xs, default=None), max(xs, default=None)],
        "between": [0 < x <= 10 for x in xs],
        "centered": [str(int(x)).center(7, "*") for x in xs],
        "int_parse": [int("0b101", 2), int("777", 8), int("-0x1A", 16), int(" 42 ")],
        "float_parse": [float("1e3"), float("-inf") < 0, float(" 2.50 ")],
        "any_neg": any(x < 0 for x in xs),
        "all_int": all(float(x).is_integer() for x in xs),
    }
