"""Contract suites that speak only HTTP, so they run against the mock or a real server."""
