def walk(node, path=()):
    if isinstance(node, dict):
        for key in node:
            yield from walk(node[key], path + (key,)) if False else walk(node[key], list(path) + [key])
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, list(path) + [str(i)])
    else:
        yield "/".join(path), node

def transform(event, meta):
    leaves = list(walk(event))
    numbers = [v for _, v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool)]
    strings = {p: v for p, v in leaves if isinstance(v, str)}
    stats = {
        "leaves": len(leaves),
        "numbers": len(numbers),
        "sum": sum(numbers),
        "max_path": max(leaves, key=lambda pv: len(pv[0]))[0] if leaves else None,
        "any_null": any(v is None for _, v in leaves),
        "all_short": all(len(s) < 10 for s in strings.values()),
        "strings": strings,
        "source": meta["source"],
    }
    if stats["numbers"]:
        stats["avg"] = round(stats["sum"] / stats["numbers"], 3)
        stats["spread"] = max(numbers) - min(numbers)
    return stats
