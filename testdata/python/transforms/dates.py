from datetime import datetime, timedelta, timezone
import time

FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%b %d %Y"]

def parse(value):
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    for fmt in FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError("unknown date: %r" % value)

def transform(event):
    d = parse(event["when"])
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    utc = d.astimezone(timezone.utc)
    due = utc + timedelta(days=event.get("days", 30))
    return {
        "utc": utc.isoformat(),
        "date": utc.date().isoformat(),
        "week": utc.isocalendar()[1],
        "weekday": utc.weekday(),
        "due": due.strftime("%Y-%m-%d %H:%M"),
        "epoch": int(utc.timestamp()),
        "month": f"{utc:%B %Y}",
        "late_by": str(timedelta(hours=event.get("late_h", 0), minutes=5)),
    }
