"""Pure renderers: data in, bytes out (PDF via fpdf2, JSON, CSV), each named
`render_<thing>_<format>`. They never query the database; a page gets the bytes from a service."""
