"""One module per API the contract suites know, each with its ``ApiProfile`` as ``PROFILE``, found by discovery."""
