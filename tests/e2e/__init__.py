"""The tools as typed: the CLI in child processes, recordings, fleets, the wheel, the image and its manifests."""
