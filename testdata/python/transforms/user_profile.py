from datetime import date, datetime
import re

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)

def age_on(born, today):
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years

def transform(event):
    today = date(2024, 5, 1)
    born = datetime.strptime(event["birthdate"], "%Y-%m-%d").date()
    name = re.sub(r"\s+", " ", event["name"]).strip()
    first, _, last = name.partition(" ")
    email = event.get("email", "").strip()
    phones = [re.sub(r"[^\d+]", "", p) for p in event.get("phones", [])]
    profile = {
        "initials": (first[:1] + last[:1]).upper(),
        "display": "%s %s." % (first.title(), last[:1].upper()) if last else first.title(),
        "age": age_on(born, today),
        "adult": age_on(born, today) >= 18,
        "email_ok": bool(EMAIL.match(email)),
        "phones": sorted(set(p for p in phones if len(p) >= 7)),
        "born_weekday": born.strftime("%a"),
        "days_to_birthday": (date(today.year + (1 if (born.month, born.day) < (today.month, today.day) else 0), born.month, born.day) - today).days,
    }
    print("profile for", profile["initials"])
    return profile
