from datetime import datetime
from zoneinfo import ZoneInfo
def transform(event):
    dt = datetime.strptime(event["local"], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(event["tz"]))
    return {"utc": dt.astimezone(ZoneInfo("UTC")).isoformat(), "ny": dt.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M %Z"),
            "offset": dt.strftime("%z")}
