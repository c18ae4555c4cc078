# No --gateway-url: the suite checks fresh emulators of every profile (tests/contract_meta/test_verify.py runs this line)
teg-emulator verify --report report.md --junit report.xml
