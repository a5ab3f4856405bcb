import re
def slug(s):
    s = re.sub(r"[^\w\s-]", "", s.lower()).strip()
    return re.sub(r"[-\s]+", "-", s)
def transform(event):
    t = event["title"]
    words = t.split()
    return {"slug": slug(t), "initials": "".join(w[0] for w in words if w).upper(), "words": len(words),
            "title": t.title(), "truncated": (t[:15] + "…") if len(t) > 15 else t, "vowels": sum(1 for c in t.lower() if c in "aeiou"),
            "padded": t[:10].ljust(12, ".") + "|", "centered": t[:6].center(10, "*")}
