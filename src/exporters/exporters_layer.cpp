// Layer anchor: keeps the exporters library non-empty while it grows.
