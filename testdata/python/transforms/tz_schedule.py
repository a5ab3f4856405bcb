from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

def transform(event):
    tz = ZoneInfo(event.get("tz", "UTC"))
    start = datetime.fromisoformat(event["start"]).replace(tzinfo=tz)
    slots = []
    t = start
    while len(slots) < event.get("count", 3):
        if t.weekday() < 5:
            slots.append({
                "local": t.strftime("%a %d %b %H:%M"),
                "utc": t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
                "offset": t.strftime("%z"),
            })
        t = t + timedelta(days=1)
    return {"tz": str(tz), "slots": slots, "span_days": (t - start).days}
