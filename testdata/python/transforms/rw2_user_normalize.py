import re
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
def transform(event):
    name = " ".join(p.capitalize() for p in event.get("name", "").split())
    email = (event.get("email") or "").strip().lower()
    phone = re.sub(r"\D", "", event.get("phone", ""))
    if len(phone) == 10:
        phone = f"+1 ({phone[:3]}) {phone[3:6]}-{phone[6:]}"
    return {"name": name, "email": email, "valid": bool(EMAIL.match(email)), "phone": phone or None,
            "tags": sorted(set(t.strip().lower() for t in event.get("tags", "").split(",") if t.strip()))}
