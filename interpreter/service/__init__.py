"""The Step Functions API as Python: one method per operation, AWS request and response shapes."""
