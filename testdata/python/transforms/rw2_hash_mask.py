import hashlib, base64
def mask(s, keep=4):
    return "*" * max(len(s) - keep, 0) + s[-keep:]
def transform(event):
    card = event["card"].replace(" ", "")
    return {"card": mask(card), "hash": hashlib.sha256(card.encode()).hexdigest()[:16],
            "b64": base64.b64encode(event["user"].encode()).decode(), "len": len(card)}
