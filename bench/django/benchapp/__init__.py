"""The benchmark's tables as a Django app, so that Django sees the foreign keys into each."""
