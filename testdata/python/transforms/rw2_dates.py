from datetime import datetime, timedelta, timezone
def transform(event):
    ts = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
    due = ts + timedelta(days=event.get("terms", 30))
    return {
        "utc": ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "day": ts.strftime("%a %d %b %Y"),
        "due": due.date().isoformat(),
        "quarter": f"Q{(ts.month - 1) // 3 + 1} {ts.year}",
        "epoch": int(ts.timestamp()),
        "weekend": ts.weekday() >= 5,
        "age_days": (datetime(2026, 1, 1, tzinfo=timezone.utc) - ts).days,
    }
