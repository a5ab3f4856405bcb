import collections
import json
import re

def transform(event):
    words = re.findall(r"[a-z']+", event["text"].lower())
    counts = collections.Counter(words)
    top = counts.most_common(3)
    by_len = collections.defaultdict(list)
    for w in sorted(set(words)):
        by_len[len(w)].append(w) if False else by_len[str(len(w))].append(w)
    return {
        "words": len(words),
        "unique": len(counts),
        "top": [[w, n] for w, n in top],
        "longest": max(words, key=len) if words else None,
        "by_len": dict(by_len),
        "summary": json.dumps(dict(top), sort_keys=True),
    }
