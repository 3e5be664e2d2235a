"""Getting data into the store."""
