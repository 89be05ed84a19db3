"""Media knowledge: which types intake accepts and how a file's real type is sniffed."""
