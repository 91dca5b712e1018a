"""Staff accounts, passwords, bearer tokens and login throttling."""
