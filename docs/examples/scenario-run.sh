teg-emulator scenario run evening-outage --csv day.csv --plot day.png        # a bundled one, by name
teg-emulator scenario run docs/examples/evening-outage.yaml --resolution 30  # or a file
teg-emulator scenario validate scenarios/*.yaml
