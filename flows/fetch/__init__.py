"""Fetching pages over HTTP: politely, concurrently, with retries and a raw page store."""
