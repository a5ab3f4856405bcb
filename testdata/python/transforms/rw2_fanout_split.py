def transform(event):
    recips = [r.strip() for r in event["to"].split(";") if r.strip()]
    if not recips:
        return None
    return [{"to": r, "subject": event["subject"][:20] + ("..." if len(event["subject"]) > 20 else ""), "i": i} for i, r in enumerate(recips)]
