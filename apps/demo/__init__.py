"""The demo desk: organisation, stories through the door, back-dated history."""
