"""The knowledge base the chatbot answers from: articles, phrasings, and how each was used."""
