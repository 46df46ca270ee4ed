"""Reference solutions of the lab exercises. Try the exercise yourself before reading them."""
