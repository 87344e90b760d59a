"""Kinderwijkraad: a children's neighbourhood council through its school year."""
