def chunks(xs, n):
    for i in range(0, len(xs), n):
        yield xs[i:i + n]
def transform(event):
    xs = event["xs"]
    return {"chunks": list(chunks(xs, 3)), "pairs": list(zip(xs, xs[1:])), "evens": [x for x in xs if x % 2 == 0],
            "running": [sum(xs[:i + 1]) for i in range(len(xs))], "rev": xs[::-1], "uniq": sorted(set(xs), key=xs.index)}
