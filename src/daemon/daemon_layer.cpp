// Layer anchor: keeps the daemon library non-empty while it grows.
