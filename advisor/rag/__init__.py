"""Retrieval and answers: embeddings, the Chroma index, LLM backends, prompts, the answer chain and its guard."""
