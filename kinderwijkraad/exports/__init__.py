"""Pure renderers: data in, bytes out (PDF via fpdf2, CSV). They never query the database."""
