"""Access to shared data (art. 12, 14): requests, negotiations, escalations and grants."""
