"""The web edge: Twilio webhooks, health, metrics and the JSON API."""
