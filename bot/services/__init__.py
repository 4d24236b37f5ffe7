"""The one way to change state: named functions that take the session explicitly."""
