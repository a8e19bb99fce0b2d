// Layer anchor: keeps the pipeline library non-empty while it grows.
