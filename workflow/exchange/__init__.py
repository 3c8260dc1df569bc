"""Exchange with translators' tools: XLIFF, TMX and TBX files in and out."""
