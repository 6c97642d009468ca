"""The demo palace: halls, courts, classes and one account per role."""
