"""The quality dashboard in the admin: figures and server-side SVG charts."""
