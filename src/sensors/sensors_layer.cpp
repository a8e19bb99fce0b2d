// Layer anchor: keeps the sensors library non-empty while it grows.
