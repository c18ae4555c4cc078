"""Pure Python: the model, the facts, the files; no HTTP, no process."""
