"""``make bench`` and ``make fuzz``: the mock measured against Prism, WireMock and a bare floor; the fuzz run."""
