"""Running a scenario offline (``teg-emulator scenario run``): the gateway's clock moved sample by sample,
expectations read through the real app. An offline tool above the assembly it drives."""
