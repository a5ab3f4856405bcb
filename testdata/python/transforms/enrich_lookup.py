COUNTRIES = {
    "DE": {"name": "Germany", "eu": True, "vat": 19},
    "FR": {"name": "France", "eu": True, "vat": 20},
    "CH": {"name": "Switzerland", "eu": False, "vat": 8.1},
}
DEFAULT = {"name": "Unknown", "eu": False, "vat": 0}

def transform(event):
    code = (event.get("country") or "").upper()[:2]
    info = COUNTRIES.get(code, DEFAULT)
    net = event["net"]
    vat = net * info["vat"] / 100
    out = dict(event)
    out.update({"country": code or None, "country_name": info["name"], "eu": info["eu"]})
    out["vat"] = round(vat, 2)
    out["gross"] = round(net + vat, 2)
    out["tier"] = "high" if net >= 1000 else "mid" if net >= 100 else "low"
    out["label"] = "{country_name} ({vat:.1f}% VAT)".format(country_name=info["name"], vat=float(info["vat"]))
    tags = set(event.get("tags", []))
    tags |= {"eu"} if info["eu"] else set()
    tags -= {"tmp"}
    out["tags"] = sorted(tags)
    return out
