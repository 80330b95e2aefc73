"""The federation's operator: who is in it (register, take out), their keys (rotation with an overlap), and testing
a member's node (the seed's three questions for a test person)."""
