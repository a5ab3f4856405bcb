from datetime import datetime, timezone

def transform(event, meta):
    commits = event.get("commits", [])
    head = event["head_commit"]
    ts = datetime.fromisoformat(head["timestamp"])
    authors = sorted({c["author"]["email"].lower() for c in commits})
    return {
        "repo": event["repository"]["full_name"],
        "branch": event["ref"].rsplit("/", 1)[-1],
        "pushed_by": event["pusher"]["name"],
        "commits": len(commits),
        "authors": authors,
        "first_line": head["message"].splitlines()[0][:50],
        "at_utc": ts.astimezone(timezone.utc).isoformat(),
        "weekday": ts.strftime("%A"),
        "hour": ts.hour,
        "event": meta["headers"].get("X-Github-Event", "unknown"),
        "summary": "{repo}@{sha:.7} by {who}".format(repo=event["repository"]["name"], sha=head["id"], who=event["pusher"]["name"]),
    }
