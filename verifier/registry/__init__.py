"""The signed registry of official channels: schema, trust chain and lookup index."""
