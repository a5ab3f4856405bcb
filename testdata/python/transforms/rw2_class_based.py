class Money:
    def __init__(self, cents, cur):
        self.cents = cents
        self.cur = cur
    def __str__(self):
        return "%s %d.%02d" % (self.cur, self.cents // 100, self.cents % 100)
    def add(self, other):
        if other.cur != self.cur:
            raise ValueError("currency mismatch: %s vs %s" % (self.cur, other.cur))
        return Money(self.cents + other.cents, self.cur)

def transform(event):
    total = Money(0, event["currency"])
    errors = []
    for p in event["payments"]:
        try:
            total = total.add(Money(int(round(p["amount"] * 100)), p.get("currency", event["currency"])))
        except ValueError as e:
            errors.append(str(e))
    return {"total": str(total), "errors": errors, "n": len(event["payments"])}
