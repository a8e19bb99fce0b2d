// Layer anchor: keeps the bpf library non-empty while it grows.
