"""What customers' comments say: sentiment and themes, in English and Chinese."""
