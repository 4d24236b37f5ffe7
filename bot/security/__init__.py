"""Keys, pseudonyms, encryption and tokens."""
