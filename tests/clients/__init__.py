"""The emulator as its users meet it: real client libraries, a browser, the pytest fixture and running()."""
