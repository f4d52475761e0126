"""The change feed: GET /v1/changes, every change to every resource in commit order."""
