"""Rules: small pure functions over a Snapshot that return Findings."""
