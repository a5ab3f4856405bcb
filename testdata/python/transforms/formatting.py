def transform(event):
    x = event["x"]
    return {
        "pct": "%.1f%%" % (x * 100),
        "padded": "%08.3f|%-6s|%+d" % (x, event["s"], int(x)),
        "fmt": "{:>10.2f}|{:^9}|{:,}".format(x, event["s"], int(x * 1000)),
        "fstr": f"{x:.3e} {x!r} {event['s']!r:>8} {int(x):#06x}",
        "str": str(x),
        "repr": repr([x, None, True, "q"]),
        "round": [round(x), round(x, 1), round(x * 1000, -2)],
        "div": [int(x) // 3, int(x) % 3, -int(x) // 3, x / 4],
    }
